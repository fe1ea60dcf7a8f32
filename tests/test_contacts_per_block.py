"""A caller belongs to a block: BRC staff of one block who type in another block's caller's
number get a contact of their own block, and never reach her, her texts, her calls or her
tickets by any path (API, portal, SMS, telephony, caller lookup)."""

import pytest
import sqlalchemy as sa

from helpdesk.calls.gateways import LoggingGateway
from helpdesk.calls.models import Call
from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket

SMS_TOKEN, CTI_TOKEN = "sms-shared-secret", "cti-shared-secret"
HER_PHONE = "+919876543210"
TICKET = {
    "subject": "Who is this caller?",
    "description": "Please call me back about my loan.",
    "category": "bank-linkage",
}


@pytest.fixture
def two_blocks(make_block, make_user, make_ticket):
    """Block B's caller Sunita with an open ticket an agent logged; BRC staff of block A."""
    a, b = (
        make_block(name="Gumma", district="Gajapati", state="IN-OD"),
        make_block(name="Khuntpani", state="IN-JH"),
    )
    agent = make_user("agent")
    hers = make_ticket(
        actor=agent, block=b.code, requester={"name": "Sunita Devi", "phone": "9876543210"}
    )
    return {
        "a": a,
        "b": b,
        "agent": agent,
        "hers": hers,
        "brc_a": make_user("brc", block=a, name="Ravi BRC"),
        "brc_b": make_user("brc", block=b, name="Meena BRC"),
    }


def attacker_ticket(api_as, brc, **fields):
    body = TICKET | {"requester": {"name": "Somebody", "phone": "98765 43210"}} | fields
    response = api_as(brc).post("/api/v1/tickets", json=body)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def sms_in(app, client):
    app.config["SMS_TOKEN"] = SMS_TOKEN

    def send(text: str, sender: str = HER_PHONE):
        response = client.post(
            "/api/v1/sms/inbound",
            json={"from": sender, "text": text},
            headers={"X-SMS-Token": SMS_TOKEN},
        )
        assert response.status_code in (200, 201), response.json
        return response.json

    return send


@pytest.fixture
def cti(app, client):
    app.config["CTI_TOKEN"] = CTI_TOKEN

    def send(event: str, **fields):
        body = {"event": event, "call_id": "c-1", "from": HER_PHONE, "to": "08022223333"}
        response = client.post(
            "/api/v1/cti/events",
            json=body | {"direction": "in"} | fields,
            headers={"X-CTI-Token": CTI_TOKEN},
        )
        assert response.status_code == 200, response.json
        return response.json

    return send


def test_api_a_brc_ticket_naming_another_blocks_caller_gets_a_contact_of_its_own_block(
    api_as, two_blocks
):
    hers = two_blocks["hers"]
    created = attacker_ticket(api_as, two_blocks["brc_a"], block=two_blocks["b"].code)
    # The answer does not reveal her name, nor put the ticket in her block.
    assert created["requester"]["name"] == "Somebody"
    assert created["requester"]["block"] == two_blocks["a"].code
    assert created["block"]["code"] == two_blocks["a"].code
    ticket = db.session.get(Ticket, created["id"])
    assert ticket.requester_id != hers.requester_id
    db.session.refresh(hers)
    assert (hers.requester.name, hers.requester.block_id) == ("Sunita Devi", two_blocks["b"].id)
    # Her own block's BRC staff name her contact.
    own = attacker_ticket(api_as, two_blocks["brc_b"])
    assert own["requester"]["name"] == "Sunita Devi"
    assert db.session.get(Ticket, own["id"]).requester_id == hers.requester_id


def test_portal_a_brc_user_with_her_number_raises_a_ticket_as_themselves(
    client, login_as, make_user, two_blocks
):
    brc = make_user("brc", block=two_blocks["a"], name="Ravi BRC", phone=HER_PHONE)
    login_as(brc)
    response = client.post("/brc/new", data=TICKET | {"priority": "normal", "language": "hi"})
    assert response.status_code == 302
    ticket = db.session.scalar(sa.select(Ticket).where(Ticket.created_by_id == brc.id))
    assert (ticket.requester.name, ticket.requester.block_id) == ("Ravi BRC", two_blocks["a"].id)
    page = client.get(response.location).get_data(as_text=True)
    assert "Sunita Devi" not in page


def test_sms_her_text_threads_onto_her_ticket_not_the_brc_ticket_naming_her(
    api_as, sms_in, two_blocks
):
    theirs = attacker_ticket(api_as, two_blocks["brc_a"])
    answer = sms_in("Any news about my loan?")
    assert answer["created"] is False and answer["ticket"] == two_blocks["hers"].id
    seen_by_a = api_as(two_blocks["brc_a"]).get(f"/api/v1/tickets/{theirs['id']}").json
    assert [m["body"] for m in seen_by_a["messages"] if not m["automatic"]] == []


def test_sms_a_number_only_brc_staff_typed_in_is_unknown_and_goes_to_triage(
    api_as, sms_in, make_block, make_user
):
    brc = make_user("brc", block=make_block())
    theirs = attacker_ticket(api_as, brc)
    answer = sms_in("Mera loan kab milega?", sender="09876543210")
    assert answer["created"] is True and answer["ticket"] != theirs["id"]
    ticket = db.session.get(Ticket, answer["ticket"])
    assert ticket.block_id is None
    assert api_as(brc).get(f"/api/v1/tickets/{ticket.id}").status_code == 404


def test_sms_replies_on_a_brc_ticket_are_not_texted_to_the_number_they_typed(
    api_as, run_jobs, two_blocks
):
    LoggingGateway.sent.clear()
    theirs = attacker_ticket(api_as, two_blocks["brc_a"], channel="sms")
    reply = api_as(two_blocks["agent"]).post(
        f"/api/v1/tickets/{theirs['id']}/messages", json={"body": "We will call you at 4 pm."}
    )
    assert reply.status_code == 201
    run_jobs()
    assert list(LoggingGateway.sent) == []


def test_cti_her_call_is_logged_on_her_ticket_and_names_her(api_as, cti, two_blocks):
    attacker_ticket(api_as, two_blocks["brc_a"])
    cti("newCall")
    cti("answer", user=two_blocks["agent"].email)
    cti("hangup", cause="normal_clearing")
    db.session.expire_all()
    [call] = db.session.scalars(sa.select(Call))
    assert call.ticket_id == two_blocks["hers"].id
    assert call.contact_id == two_blocks["hers"].requester_id


def test_cti_screenpop_shows_only_her_and_her_tickets(
    app, client, console_client, api_as, make_user, two_blocks
):
    app.config["CTI_TOKEN"] = CTI_TOKEN
    theirs = attacker_ticket(api_as, two_blocks["brc_a"])
    agent = make_user("agent")
    listener = console_client(agent)
    body = {"call_id": "c-9", "from": HER_PHONE, "to": "08022223333", "direction": "in"}
    for event in ({"event": "newCall"}, {"event": "answer", "user": agent.email}):
        response = client.post(
            "/api/v1/cti/events", json=body | event, headers={"X-CTI-Token": CTI_TOKEN}
        )
        assert response.status_code == 200
    [pop] = listener.received("call.screenpop")
    assert pop["caller_name"] == "Sunita Devi"
    assert [p["block"] for p in pop["caller"]] == [two_blocks["b"].code]
    assert [t["id"] for t in pop["open_tickets"]] == [two_blocks["hers"].id]
    assert pop["ticket"]["id"] == two_blocks["hers"].id != theirs["id"]


def test_contacts_lookup_shows_staff_her_contact_and_tickets_only(api_as, two_blocks):
    attacker_ticket(api_as, two_blocks["brc_a"])
    found = api_as(two_blocks["agent"]).get(f"/api/v1/contacts/lookup?phone={HER_PHONE}").json
    assert [(c["name"], c["block"]) for c in found["contacts"]] == [
        ("Sunita Devi", two_blocks["b"].code)
    ]
    assert [t["id"] for t in found["open_tickets"]] == [two_blocks["hers"].id]
    for brc in (two_blocks["brc_a"], two_blocks["brc_b"]):
        response = api_as(brc).get(f"/api/v1/contacts/lookup?phone={HER_PHONE}")
        assert response.status_code == 403


def test_staff_logging_a_call_for_a_block_get_that_blocks_contact(api_as, two_blocks):
    """An MEC serving two blocks is one contact per block; staff confirm a number BRC staff
    typed in when they log a call from it for that block."""
    theirs = attacker_ticket(api_as, two_blocks["brc_a"])
    agent = api_as(two_blocks["agent"])
    logged = agent.post(
        "/api/v1/tickets",
        json=TICKET
        | {"block": two_blocks["a"].code, "requester": {"name": "Sunita", "phone": HER_PHONE}},
    ).json
    ticket = db.session.get(Ticket, logged["id"])
    assert ticket.requester_id == db.session.get(Ticket, theirs["id"]).requester_id
    assert ticket.requester.block_id == two_blocks["a"].id and ticket.requester.phone_confirmed
    contacts = db.session.scalars(sa.select(Contact).where(Contact.phone == HER_PHONE)).all()
    assert sorted(c.block_id for c in contacts) == sorted([two_blocks["a"].id, two_blocks["b"].id])
    # Now both blocks' contacts are confirmed: her next text lands on the newest open ticket.
    found = agent.get(f"/api/v1/contacts/lookup?phone={HER_PHONE}").json
    assert [t["id"] for t in found["open_tickets"]] == [
        logged["id"],
        theirs["id"],
        two_blocks["hers"].id,
    ]


def test_a_new_caller_on_file_a_moment_ago_is_the_same_contact(api_as, two_blocks, monkeypatch):
    """Two calls from the same new number at once: the one that looked first and found
    nobody, then wrote second, joins the contact the other wrote, and its ticket is taken."""
    from helpdesk.contacts import services as contact_services

    agent = api_as(two_blocks["agent"])
    ticket = TICKET | {"block": two_blocks["a"].code}
    first = agent.post(
        "/api/v1/tickets", json=ticket | {"requester": {"name": "Asha", "phone": "9123456789"}}
    )
    # The second request looked before the first one's contact was written.
    monkeypatch.setattr(contact_services, "_in_block_or_unplaced", lambda *_args: None)
    second = agent.post(
        "/api/v1/tickets", json=ticket | {"requester": {"name": "Asha D.", "phone": "9123456789"}}
    )
    assert first.status_code == second.status_code == 201
    assert second.json["requester"]["id"] == first.json["requester"]["id"]
    assert second.json["requester"]["name"] == "Asha"
    on_file = db.session.scalars(sa.select(Contact).where(Contact.phone == "+919123456789")).all()
    assert [c.id for c in on_file] == [first.json["requester"]["id"]]
