"""Nothing is refused: a text from a number nobody has on file opens a ticket without a
block, which only staff see (the triage view) until they put it in its block."""

import pytest
import sqlalchemy as sa

from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket

TOKEN = "sms-shared-secret"
UNKNOWN = "+919447012345"


@pytest.fixture
def text_in(app, client):
    app.config["SMS_TOKEN"] = TOKEN

    def send(text: str, sender: str = "094470 12345"):
        return client.post(
            "/api/v1/sms/inbound",
            json={"from": sender, "text": text},
            headers={"X-SMS-Token": TOKEN},
        )

    return send


@pytest.fixture
def triaged(text_in):
    """The ticket an unknown number's first text opened."""
    response = text_in("Namaste, hamare samuh ko loan chahiye")
    assert response.status_code == 201, response.json
    return db.session.get(Ticket, response.json["ticket"])


def test_an_unknown_sender_opens_a_blockless_ticket_in_triage_and_later_texts_thread(
    text_in, api_as, make_user, make_ticket
):
    make_ticket()  # a ticket with a block, which the triage view leaves out
    first = text_in("Namaste, hamare samuh ko loan chahiye")
    assert first.status_code == 201 and first.json["created"] is True
    agent = api_as(make_user("agent"))
    ticket = agent.get(f"/api/v1/tickets/{first.json['ticket']}").json
    assert ticket["block"] is None and ticket["channel"] == "sms"
    assert ticket["requester"] == ticket["requester"] | {"phone": UNKNOWN, "block": None}
    triage = agent.get("/api/v1/tickets?triage=1").json
    assert [t["id"] for t in triage["items"]] == [ticket["id"]] and triage["total"] == 1
    assert agent.get("/api/v1/console/counters").json["triage"] == 1

    again = text_in("Bank manager ne papers maange", sender=UNKNOWN)
    assert again.status_code == 201
    assert again.json == again.json | {"created": False, "ticket": ticket["id"]}
    thread = agent.get(f"/api/v1/tickets/{ticket['id']}").json["messages"]
    assert "Bank manager ne papers maange" in [m["body"] for m in thread]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 2


def test_brc_staff_and_mentors_never_see_a_ticket_awaiting_triage(
    triaged, api_as, client, login_as, make_user
):
    brc, mentor = make_user("brc"), make_user("mentor", states=["IN-JH", "IN-KL"])
    for user in (brc, mentor):
        api = api_as(user)
        assert api.get(f"/api/v1/tickets/{triaged.id}").status_code == 404
        assert api.get("/api/v1/tickets").json["total"] == 0
        assert api.get("/api/v1/tickets?triage=1").json["total"] == 0
        reply = api.post(f"/api/v1/tickets/{triaged.id}/messages", json={"body": "hi"})
        assert reply.status_code == 404
    assert api_as(mentor).get("/api/v1/console/counters").json["triage"] == 0
    login_as(mentor)
    assert client.get(f"/tickets/{triaged.id}").status_code == 404
    assert triaged.subject not in client.get("/console").get_data(as_text=True)


def test_triage_events_reach_staff_only(
    app, client, console_client, make_user, make_block, text_in
):
    agent = console_client(make_user("agent"))
    brc = console_client(make_user("brc", block=make_block(state="IN-JH")))
    mentor = console_client(make_user("mentor", states=["IN-JH"]))
    ticket_id = text_in("Loan chahiye").json["ticket"]
    [event] = agent.received("ticket.created")
    assert event["id"] == ticket_id and event["block"] is None
    for listener in (brc, mentor):
        assert listener.received("ticket.created", wait=0.7) == []


def test_staff_triage_a_ticket_into_its_block_then_its_brc_staff_see_it(
    triaged, api_as, make_user, make_block, text_in
):
    block = make_block(
        code="KL-PARAKKODE", name="Parakkode", district="Pathanamthitta", state="IN-KL"
    )
    brc = make_user("brc", block=block)
    mentor = make_user("mentor", states=["IN-KL"])
    # Only staff may set the block; null and unknown blocks are refused.
    assert (
        api_as(mentor)
        .patch(f"/api/v1/tickets/{triaged.id}", json={"block": block.code})
        .status_code
        == 404
    )
    agent = api_as(make_user("agent"))
    for body, field in (({"block": None}, "block"), ({"block": "NOWHERE"}, "block")):
        response = agent.patch(f"/api/v1/tickets/{triaged.id}", json=body)
        assert response.status_code == 422 and field in response.json["error"]["fields"]
    response = agent.patch(f"/api/v1/tickets/{triaged.id}", json={"block": block.code})
    assert response.status_code == 200, response.json
    assert response.json["block"]["code"] == "KL-PARAKKODE"
    assert response.json["requester"]["block"] == "KL-PARAKKODE"
    assert agent.get("/api/v1/tickets?triage=1").json["total"] == 0
    # Now the block's BRC staff and the state's mentor see it; it is no one else's.
    assert api_as(brc).get(f"/api/v1/tickets/{triaged.id}").status_code == 200
    assert api_as(mentor).get(f"/api/v1/tickets/{triaged.id}").status_code == 200
    assert api_as(make_user("brc")).get(f"/api/v1/tickets/{triaged.id}").status_code == 404
    # Mentors and BRC staff who see the ticket still may not move it.
    for user in (brc, mentor):
        moved = api_as(user).patch(f"/api/v1/tickets/{triaged.id}", json={"block": "X"})
        assert moved.status_code == 403 and "block" in moved.json["error"]["fields"]
    # The caller's next text still threads onto the ticket, now in the block.
    again = text_in("Papers bhej diye", sender=UNKNOWN).json
    assert again["created"] is False and again["ticket"] == triaged.id
    history = agent.get(f"/api/v1/tickets/{triaged.id}").json
    assert history["block"]["code"] == "KL-PARAKKODE"


def test_triage_into_a_block_that_already_has_the_number_uses_that_contact(
    triaged, api_as, make_user, make_block
):
    block = make_block()
    # BRC staff of the block had typed the number in for a requester (not confirmed).
    brc = make_user("brc", block=block)
    earlier = (
        api_as(brc)
        .post(
            "/api/v1/tickets",
            json={
                "subject": "Loan for the SHG",
                "description": "The group needs a loan.",
                "category": "bank-linkage",
                "requester": {"name": "Lakshmi", "phone": UNKNOWN},
            },
        )
        .json
    )
    response = api_as(make_user("agent")).patch(
        f"/api/v1/tickets/{triaged.id}", json={"block": block.code}
    )
    assert response.status_code == 200
    assert response.json["requester"]["id"] == earlier["requester"]["id"]
    db.session.expire_all()
    ticket = db.session.get(Ticket, triaged.id)
    assert ticket.requester.phone_confirmed
    assert {m.contact_id for m in ticket.messages if m.contact_id} <= {ticket.requester_id}


def test_the_ticket_page_offers_a_block_picker_for_a_blockless_ticket(
    triaged, client, login_as, make_user, make_block
):
    block = make_block(code="JH-KHUNTPANI", name="Khuntpani")
    login_as(make_user("agent"))
    queue = client.get("/tickets?status=open&triage=1").get_data(as_text=True)
    assert triaged.number in queue and "Triage" in queue
    page = client.get(f"/tickets/{triaged.id}").get_data(as_text=True)
    assert 'name="block"' in page and 'value="JH-KHUNTPANI"' in page
    assert "Escalate to a mentor" not in page
    response = client.post(f"/tickets/{triaged.id}/update", data={"block": "JH-KHUNTPANI"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Ticket, triaged.id).block_id == block.id
    page = client.get(f"/tickets/{triaged.id}").get_data(as_text=True)
    assert 'id="u-block"' not in page and "Khuntpani" in page


def test_a_blockless_ticket_cannot_be_escalated(triaged, api_as, make_user):
    make_user("mentor", skills=["business-opportunity"], languages=["en"], states=["IN-JH"])
    response = api_as(make_user("agent")).post(
        f"/api/v1/tickets/{triaged.id}/escalate", json={"reason": "Needs an expert"}
    )
    assert response.status_code == 409 and "block" in response.json["error"]["fields"]


@pytest.mark.parametrize("group_by", ["state", "district", "block"])
def test_reports_count_blockless_tickets_in_a_triage_row(
    triaged, api_as, client, login_as, make_user, make_ticket, group_by
):
    make_ticket()
    user = make_user("manager")
    manager = api_as(user)
    report = manager.get(f"/api/v1/reports/sla?group_by={group_by}").json
    assert report["totals"]["tickets"] == 2
    rows = {row["key"]: row for row in report["rows"]}
    assert rows[None]["label"] == "Triage (no block)" and rows[None]["tickets"] == 1
    csv = manager.get(f"/api/v1/reports/sla?group_by={group_by}&format=csv")
    assert csv.status_code == 200 and "Triage (no block)" in csv.get_data(as_text=True)
    backlog = manager.get(f"/api/v1/reports/backlog?group_by={group_by}").json
    assert backlog["totals"]["total"] == 2 and sum(r["total"] for r in backlog["rows"]) == 2
    login_as(user)
    page = client.get(f"/reports/sla?group_by={group_by}")
    assert page.status_code == 200 and "Triage (no block)" in page.get_data(as_text=True)
