"""Merging a duplicate ticket into another: the API's rules, the moved conversation, calls
and texts that follow, and the ticket page's duplicates panel and pointer."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from helpdesk.calls.models import Call, SmsMessage
from helpdesk.extensions import db
from helpdesk.tickets import services
from helpdesk.tickets.models import Ticket, TicketEvent
from helpdesk.tickets.schemas import MessageCreate
from helpdesk.timeutil import utcnow
from tests.attachment_files import PDF, fetch, photo, upload

SMS_TOKEN = "sms-shared-secret"


@pytest.fixture
def pair(make_block, make_user, make_ticket):
    """Two open tickets of the same caller in one block: the older is the target."""
    block = make_block()
    agent = make_user("agent")
    start = utcnow() - timedelta(hours=6)
    target = make_ticket(agent, block=block.code, subject="Loan papers for the bank")
    source = make_ticket(agent, block=block.code, subject="Loan papers again")
    target.created_at, source.created_at = start, start + timedelta(hours=1)
    db.session.commit()
    return agent, source, target, block


def test_merge_closes_the_source_and_moves_its_thread_in_time_order(api_as, pair):
    agent, source, target, _ = pair
    start = target.created_at
    services.add_message(
        target, agent, MessageCreate(body="target reply"), now=start + timedelta(hours=2)
    )
    services.add_message(
        source,
        agent,
        MessageCreate(body="source reply"),
        now=start + timedelta(hours=1, minutes=30),
    )

    response = api_as(agent).post(f"/api/v1/tickets/{source.id}/merge", json={"into": target.id})

    assert response.status_code == 200, response.json
    assert response.json["id"] == target.id
    # Acknowledgements aside (sent now), the thread runs in time order, not in id order.
    bodies = [m["body"] for m in response.json["messages"] if not m["automatic"]]
    assert bodies == ["source reply", "target reply"]
    note = response.json["messages"][0]
    assert note["internal"] and note["body"].startswith(f"Merged from {source.number}: Loan papers")
    merged = api_as(agent).get(f"/api/v1/tickets/{source.id}").json
    assert merged["status"] == "closed"
    assert merged["merged_into"] == target.id
    assert merged["messages"] == []
    assert api_as(agent).get(f"/api/v1/tickets/{target.id}").json["merged_into"] is None


def test_both_tickets_record_the_merge(api_as, pair):
    agent, source, target, _ = pair
    api_as(agent).post(f"/api/v1/tickets/{source.id}/merge", json={"into": target.id})
    events = db.session.scalars(
        sa.select(TicketEvent).where(TicketEvent.kind.in_(("merged_into", "merged_from")))
    ).all()
    assert {(e.ticket_id, e.kind, e.new_value, e.actor_id) for e in events} == {
        (source.id, "merged_into", target.number, agent.id),
        (target.id, "merged_from", source.number, agent.id),
    }


def test_merge_refusals(api_as, make_user, make_ticket, make_block, pair):
    agent, source, target, block = pair
    api = api_as(agent)
    elsewhere = make_ticket(agent)  # another block
    closed = make_ticket(agent, block=block.code)
    services.update_ticket(closed, agent, services.TicketUpdate(status="closed"))

    def merge(ticket_id, into):
        return api.post(f"/api/v1/tickets/{ticket_id}/merge", json={"into": into})

    assert merge(source.id, elsewhere.id).status_code == 422
    assert merge(source.id, source.id).json["error"]["fields"] == {"into": "the same ticket"}
    assert merge(source.id, 999999).status_code == 422
    assert merge(source.id, closed.id).status_code == 409
    assert merge(source.id, "x").status_code == 422
    # Nothing moved or closed by the refusals.
    db.session.expire_all()
    assert db.session.get(Ticket, source.id).status == "new"

    assert merge(source.id, target.id).status_code == 200
    third = make_ticket(agent, block=block.code)
    again = merge(source.id, third.id)
    assert again.status_code == 409
    assert "merged into" in again.json["error"]["message"]
    # Into a ticket merged away (closed) is a 409 too.
    assert merge(third.id, source.id).status_code == 409


def test_only_the_call_centre_side_merges(api_as, make_user, pair):
    _, source, target, block = pair
    brc = make_user("brc", block=block.code)
    mentor = make_user("mentor", states=["IN-JH"])
    assert (
        api_as(brc).post(f"/api/v1/tickets/{source.id}/merge", json={"into": target.id}).status_code
        == 403
    )
    assert (
        api_as(mentor)
        .post(f"/api/v1/tickets/{source.id}/merge", json={"into": target.id})
        .status_code
        == 403
    )
    other_brc = make_user("brc")
    assert api_as(other_brc).post(
        f"/api/v1/tickets/{source.id}/merge", json={"into": target.id}
    ).status_code in (403, 404)
    manager = make_user("manager")
    assert (
        api_as(manager)
        .post(f"/api/v1/tickets/{source.id}/merge", json={"into": target.id})
        .status_code
        == 200
    )


def test_a_reply_on_the_merged_ticket_is_refused_naming_the_target(api_as, pair):
    agent, source, target, _ = pair
    api_as(agent).post(f"/api/v1/tickets/{source.id}/merge", json={"into": target.id})
    response = api_as(agent).post(f"/api/v1/tickets/{source.id}/messages", json={"body": "hello"})
    assert response.status_code == 409
    assert target.number in response.json["error"]["message"]


def test_calls_and_texts_move_and_later_ones_thread_onto_the_target(app, client, api_as, pair):
    agent, source, target, _ = pair
    app.config["SMS_TOKEN"] = SMS_TOKEN
    call = Call(
        call_id="merge-1",
        from_number="+919876543210",
        to_number="+918022223333",
        direction="in",
        ticket=source,
        status="ended",
        events_seen=[],
    )
    db.session.add(call)
    db.session.commit()
    # Before the merge a text lands on the caller's newest open ticket: the source.
    sms = client.post(
        "/api/v1/sms/inbound",
        json={"from": "09876543210", "text": "any news?"},
        headers={"X-SMS-Token": SMS_TOKEN},
    )
    assert sms.status_code in (200, 201), sms.json
    first = db.session.scalar(sa.select(SmsMessage).order_by(SmsMessage.id))
    assert first.ticket_id == source.id

    assert (
        api_as(agent)
        .post(f"/api/v1/tickets/{source.id}/merge", json={"into": target.id})
        .status_code
        == 200
    )
    db.session.expire_all()
    assert db.session.get(Call, call.id).ticket_id == target.id
    assert db.session.get(SmsMessage, first.id).ticket_id == target.id

    client.post(
        "/api/v1/sms/inbound",
        json={"from": "+91 98765 43210", "text": "still waiting"},
        headers={"X-SMS-Token": SMS_TOKEN},
    )
    later = db.session.scalar(sa.select(SmsMessage).order_by(SmsMessage.id.desc()))
    assert later.ticket_id == target.id
    bodies = [m["body"] for m in api_as(agent).get(f"/api/v1/tickets/{target.id}").json["messages"]]
    assert "any news?" in bodies and bodies[-1] == "still waiting"


def test_the_sources_attachments_show_on_the_target(client, login_as, api_as, make_user, pair):
    agent, source, target, block = pair
    api = api_as(agent)
    on_ticket = upload(api, source.id, PDF, "bank-letter.pdf")
    reply = api.post(f"/api/v1/tickets/{source.id}/messages", json={"body": "passbook photo"})
    with_reply = upload(api, source.id, photo((64, 48)), "passbook.jpg", message=reply.json["id"])
    assert on_ticket.status_code == with_reply.status_code == 201

    assert (
        api.post(f"/api/v1/tickets/{source.id}/merge", json={"into": target.id}).status_code == 200
    )

    shown = api.get(f"/api/v1/tickets/{target.id}").json
    assert sorted(a["filename"] for a in shown["attachments"]) == [
        "bank-letter.pdf",
        "passbook.jpg",
    ]
    assert api.get(f"/api/v1/tickets/{source.id}").json["attachments"] == []
    # The file sent with the reply is still under that reply, now in the target's thread.
    photo_id = with_reply.json["id"]
    assert (
        next(a for a in shown["attachments"] if a["id"] == photo_id)["message"]
        == (reply.json["id"])
    )
    assert reply.json["id"] in [m["id"] for m in shown["messages"]]
    # BRC staff of the block fetch it through the target.
    brc = make_user("brc", block=block.code)
    assert fetch(api_as(brc), on_ticket.json["url"]).status_code == 200
    login_as(agent)
    page = client.get(f"/tickets/{target.id}").get_data(as_text=True)
    assert "bank-letter.pdf" in page and "passbook.jpg" in page


def test_the_ticket_page_offers_duplicates_and_points_to_the_target(
    client, login_as, pair, make_ticket
):
    agent, source, target, _ = pair
    login_as(agent)
    page = client.get(f"/tickets/{source.id}").get_data(as_text=True)
    assert "Likely duplicates" in page
    assert f"Merge into {target.number}" in page

    response = client.post(f"/tickets/{source.id}/merge", data={"into": str(target.id)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tickets/{target.id}")
    source_page = client.get(f"/tickets/{source.id}").get_data(as_text=True)
    assert f'Merged into <a href="/tickets/{target.id}">{target.number}</a>' in source_page
    assert "Likely duplicates" not in source_page
    target_page = client.get(f"/tickets/{target.id}").get_data(as_text=True)
    assert f"Merged from {source.number}" in target_page


def test_old_or_closed_tickets_are_not_offered_as_duplicates(client, login_as, pair):
    agent, source, target, _ = pair
    target.created_at = utcnow() - timedelta(days=8)
    db.session.commit()
    login_as(agent)
    assert "Likely duplicates" not in client.get(f"/tickets/{source.id}").get_data(as_text=True)


def test_a_refused_merge_from_the_page_says_why(client, login_as, pair, make_ticket):
    agent, source, _, _ = pair
    other = make_ticket(agent)
    login_as(agent)
    response = client.post(
        f"/tickets/{source.id}/merge", data={"into": str(other.id)}, follow_redirects=True
    )
    assert "Only tickets of the same block can be merged." in response.get_data(as_text=True)


def test_a_call_after_the_merge_is_logged_on_the_target(app, client, pair):
    agent, source, target, _ = pair
    from helpdesk.tickets.merging import merge_ticket

    merge_ticket(source, target.id, agent)
    app.config["CTI_TOKEN"] = "cti-secret"

    def cti(event, **fields):
        body = {
            "event": event,
            "call_id": "after-merge",
            "from": "9876543210",
            "to": "08022223333",
            "direction": "in",
        }
        response = client.post(
            "/api/v1/cti/events", json=body | fields, headers={"X-CTI-Token": "cti-secret"}
        )
        assert response.status_code == 200, response.json

    cti("newCall")
    cti("answer", user=agent.email)
    cti("hangup", cause="normal_clearing")
    db.session.expire_all()
    call = db.session.scalar(sa.select(Call).where(Call.call_id == "after-merge"))
    assert call.ticket_id == target.id
