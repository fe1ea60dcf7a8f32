"""The ticket, block, category and auth parts of the contract, through the API."""

import threading
import time

import pytest
import sqlalchemy as sa

from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.tickets.models import Message, Ticket, TicketEvent
from tests.conftest import POSTGRES_URL

needs_postgresql = pytest.mark.skipif(
    not POSTGRES_URL, reason="the PostgreSQL pass only (TEST_DATABASE_URL unset)"
)

NEW_TICKET = {
    "subject": "Loan for a Nutrimix unit",
    "description": "बैंक ने व्यवसाय योजना माँगी है। MEC needs help with the projections.",
    "category": "bank-linkage",
    "priority": "high",
    "channel": "phone",
    "language": "hi",
    "requester": {"name": "Sunita Devi", "phone": "+91-98765-43210"},
}


def test_token_then_create_ticket_returns_contract_shape(client, make_user, make_block):
    agent = make_user("agent")
    block = make_block(code="JH-KHUNTPANI", name="Khuntpani")
    res = client.post(
        "/api/v1/auth/tokens", json={"email": agent.email, "password": "correct-horse-1"}
    )
    assert res.status_code == 201
    assert res.json["user"] == {
        "id": agent.id,
        "email": agent.email,
        "name": agent.name,
        "role": "agent",
    }
    headers = {"Authorization": f"Bearer {res.json['token']}"}

    res = client.post("/api/v1/tickets", json=NEW_TICKET | {"block": block.code}, headers=headers)
    assert res.status_code == 201, res.json
    ticket = res.json
    assert ticket["number"] == f"KS-{ticket['id']:06d}"
    assert ticket["status"] == "new"
    assert ticket["block"] == {
        "code": "JH-KHUNTPANI",
        "name": "Khuntpani",
        "district": "West Singhbhum",
        "state": "IN-JH",
    }
    assert ticket["requester"]["phone"] == "+919876543210"
    assert ticket["sla"]["policy"] == "High" and ticket["sla"]["paused"] is False
    assert ticket["sla"]["first_response_due"] > ticket["created_at"]
    assert ticket["description"].startswith("बैंक ने व्यवसाय योजना")


def test_wrong_password_is_401_in_the_error_shape(client, make_user):
    agent = make_user("agent")
    res = client.post("/api/v1/auth/tokens", json={"email": agent.email, "password": "nope-nope"})
    assert res.status_code == 401
    assert res.json["error"]["code"] == "unauthorized"


def test_requests_without_token_are_401(client):
    res = client.get("/api/v1/tickets")
    assert res.status_code == 401
    assert set(res.json["error"]) == {"code", "message", "fields"}


def test_brc_ticket_belongs_to_their_block_whatever_they_send(api_as, make_user, make_block):
    mine, other = make_block(), make_block()
    brc = make_user("brc", block=mine, phone="9123456789")
    res = api_as(brc).post("/api/v1/tickets", json=NEW_TICKET | {"block": other.code})
    assert res.status_code == 201
    assert res.json["block"]["code"] == mine.code


def test_brc_sees_only_their_block_and_other_blocks_are_404(
    api_as, make_user, make_block, make_ticket
):
    mine, other = make_block(), make_block()
    brc = make_user("brc", block=mine)
    own = make_ticket(block=mine.code)
    foreign = make_ticket(block=other.code)
    api = api_as(brc)
    listed = api.get("/api/v1/tickets").json
    assert [t["id"] for t in listed["items"]] == [own.id]
    assert listed["total"] == 1
    assert api.get(f"/api/v1/tickets/{foreign.id}").status_code == 404
    assert (
        api.post(f"/api/v1/tickets/{foreign.id}/messages", json={"body": "hi"}).status_code == 404
    )
    assert api.get(f"/api/v1/tickets/{own.id}").status_code == 200


def test_brc_never_sees_internal_notes(api_as, make_user, make_block, make_ticket):
    block = make_block()
    brc, agent = make_user("brc", block=block), make_user("agent")
    ticket = make_ticket(block=block.code)
    api_as(agent).post(
        f"/api/v1/tickets/{ticket.id}/messages",
        json={"body": "Caller sounded unsure; check PTS data", "internal": True},
    )
    api_as(agent).post(
        f"/api/v1/tickets/{ticket.id}/messages", json={"body": "Please send the plan"}
    )
    bodies = [m["body"] for m in api_as(brc).get(f"/api/v1/tickets/{ticket.id}").json["messages"]]
    assert "Please send the plan" in bodies
    assert "Caller sounded unsure; check PTS data" not in bodies
    staff_bodies = [
        m["body"] for m in api_as(agent).get(f"/api/v1/tickets/{ticket.id}").json["messages"]
    ]
    assert "Caller sounded unsure; check PTS data" in staff_bodies
    res = api_as(brc).post(
        f"/api/v1/tickets/{ticket.id}/messages", json={"body": "x", "internal": True}
    )
    assert res.status_code == 403


def test_mentor_sees_own_states_and_escalations_only(api_as, make_user, make_block, make_ticket):
    jh = make_block(state="IN-JH")
    kl = make_block(state="IN-KL", district="Palakkad")
    mentor = make_user("mentor", states=["IN-KL"])
    in_kerala, in_jharkhand = make_ticket(block=kl.code), make_ticket(block=jh.code)
    ids = {t["id"] for t in api_as(mentor).get("/api/v1/tickets").json["items"]}
    assert ids == {in_kerala.id}
    assert api_as(mentor).get(f"/api/v1/tickets/{in_jharkhand.id}").status_code == 404


def test_pending_ticket_reopens_when_requester_replies(api_as, make_user, make_block, make_ticket):
    block = make_block()
    brc, agent = make_user("brc", block=block), make_user("agent")
    ticket = make_ticket(block=block.code)
    assert (
        api_as(agent)
        .patch(f"/api/v1/tickets/{ticket.id}", json={"status": "pending"})
        .json["status"]
        == "pending"
    )
    api_as(brc).post(
        f"/api/v1/tickets/{ticket.id}/messages", json={"body": "Here is the bank's letter"}
    )
    assert api_as(agent).get(f"/api/v1/tickets/{ticket.id}").json["status"] == "open"


def test_resolved_ticket_reopens_on_requester_reply_and_closed_refuses(
    api_as, make_user, make_block, make_ticket
):
    block = make_block()
    brc, agent = make_user("brc", block=block), make_user("agent")
    ticket = make_ticket(block=block.code)
    api = api_as(agent)
    resolved = api.patch(f"/api/v1/tickets/{ticket.id}", json={"status": "resolved"}).json
    assert resolved["sla"]["resolved_at"] is not None
    api_as(brc).post(f"/api/v1/tickets/{ticket.id}/messages", json={"body": "Still not solved"})
    reopened = api.get(f"/api/v1/tickets/{ticket.id}").json
    assert reopened["status"] == "open" and reopened["sla"]["resolved_at"] is None
    api.patch(f"/api/v1/tickets/{ticket.id}", json={"status": "closed"})
    res = api.patch(f"/api/v1/tickets/{ticket.id}", json={"status": "open"})
    assert res.status_code == 409 and res.json["error"]["fields"]["status"]
    assert api.post(f"/api/v1/tickets/{ticket.id}/messages", json={"body": "x"}).status_code == 409


def test_first_public_agent_reply_is_first_response_notes_are_not(api_as, make_user, make_ticket):
    agent = make_user("agent")
    ticket = make_ticket()
    api = api_as(agent)
    api.post(f"/api/v1/tickets/{ticket.id}/messages", json={"body": "note", "internal": True})
    assert api.get(f"/api/v1/tickets/{ticket.id}").json["sla"]["first_response_at"] is None
    api.post(
        f"/api/v1/tickets/{ticket.id}/messages", json={"body": "Namaste, please share the plan"}
    )
    after = api.get(f"/api/v1/tickets/{ticket.id}").json
    assert after["sla"]["first_response_at"] is not None and after["status"] == "open"


def test_every_change_is_audited_with_old_and_new_values(api_as, make_user, make_ticket):
    agent, other = make_user("agent"), make_user("agent")
    ticket = make_ticket(actor=agent)
    res = api_as(agent).patch(
        f"/api/v1/tickets/{ticket.id}",
        json={
            "priority": "urgent",
            "assignee": other.id,
            "category": "bookkeeping",
            "language": "ml",
        },
    )
    assert res.status_code == 200
    assert res.json["assignee"]["id"] == other.id and res.json["status"] == "open"
    events = {
        (e.kind, e.old_value, e.new_value)
        for e in db.session.scalars(
            sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
        )
    }
    assert {
        ("created", None, "new"),
        ("priority", "normal", "urgent"),
        ("category", "business-plan", "bookkeeping"),
        ("language", "hi", "ml"),
        ("assignee", None, other.email),
        ("status", "new", "open"),
    } <= events


def test_list_filters_and_pagination(api_as, make_user, make_block, make_ticket):
    agent = make_user("agent")
    kl = make_block(state="IN-KL", district="Palakkad", code="KL-PARAKKODE")
    for _ in range(3):
        make_ticket(block=kl.code, priority="urgent")
    make_ticket(category="bookkeeping")
    api = api_as(agent)
    assert api.get("/api/v1/tickets?state=IN-KL").json["total"] == 3
    assert api.get("/api/v1/tickets?block=KL-PARAKKODE&priority=urgent").json["total"] == 3
    assert api.get("/api/v1/tickets?category=bookkeeping").json["total"] == 1
    page = api.get("/api/v1/tickets?per_page=2&page=2").json
    assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (2, 2, 4, 2)
    assert api.get("/api/v1/tickets?per_page=500").status_code == 422
    assert api.get("/api/v1/tickets?status=bogus").status_code == 422
    one = make_ticket(subject="Café Kudumbashree menu costing")
    assert [t["id"] for t in api.get(f"/api/v1/tickets?q={one.number}").json["items"]] == [one.id]
    assert api.get("/api/v1/tickets?q=menu costing").json["total"] == 1


def test_blocks_admin_only_and_categories_listed(api_as, make_user):
    admin, agent = make_user("admin"), make_user("agent")
    body = {"code": "KA-GUBBI", "name": "Gubbi", "district": "Tumkur", "state": "IN-KA"}
    assert api_as(agent).post("/api/v1/blocks", json=body).status_code == 403
    res = api_as(admin).post("/api/v1/blocks", json=body)
    assert res.status_code == 201 and res.json == {
        "code": "KA-GUBBI",
        "name": "Gubbi",
        "district": "Tumkur",
        "state": "IN-KA",
    }
    assert api_as(admin).post("/api/v1/blocks", json=body).status_code == 409
    audit = api_as(admin).get("/api/v1/admin/audit?subject=block").json["items"]
    assert [(e["key"], e["action"]) for e in audit] == [("KA-GUBBI", "created")]
    assert any(b["code"] == "KA-GUBBI" for b in api_as(agent).get("/api/v1/blocks").json["items"])
    slugs = {c["slug"] for c in api_as(agent).get("/api/v1/categories").json["items"]}
    assert {"business-plan", "bank-linkage", "bookkeeping", "mec-fees-mou", "pts-mis"} <= slugs


def test_openapi_is_generated_from_routes(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"post", "get"} <= set(spec["paths"]["/api/v1/tickets"])
    assert "patch" in spec["paths"]["/api/v1/tickets/{ticket_id}"]
    schema = spec["components"]["schemas"]["TicketCreate"]
    assert schema["properties"]["priority"]["enum"] == ["low", "normal", "high", "urgent"]


def test_acknowledgement_job_posts_one_automatic_reply(make_ticket, run_jobs):
    ticket = make_ticket()
    run_jobs()
    run_jobs()
    messages = db.session.scalars(sa.select(Message).where(Message.ticket_id == ticket.id)).all()
    assert [m.automatic for m in messages] == [True]
    assert ticket.number in messages[0].body
    assert db.session.get(Ticket, ticket.id).first_response_at is None


def test_token_endpoint_is_rate_limited(config_class, make_user):
    from helpdesk import create_app

    class Limited(config_class):
        RATELIMIT_ENABLED = True
        LOGIN_RATE_LIMIT = "3 per minute"

    agent = make_user("agent")
    limited_app = create_app(Limited)
    client = limited_app.test_client()
    statuses = [
        client.post(
            "/api/v1/auth/tokens", json={"email": agent.email, "password": "guess-guess"}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    res = client.post(
        "/api/v1/auth/tokens", json={"email": agent.email, "password": "correct-horse-1"}
    )
    assert res.status_code == 429 and res.json["error"]["code"] == "rate_limited"
    with limited_app.app_context():
        db.engine.dispose()


def test_queue_search_matches_requester_phone_in_any_form_name_and_block(
    api_as, make_user, make_block, make_ticket
):
    api = api_as(make_user("agent"))
    chaibasa = make_block(name="Chaibasa Sadar")
    sunita = make_ticket(requester={"name": "Sunita Murmu", "phone": "9876543210"})
    meena = make_ticket(block=chaibasa.code, requester={"name": "Meena", "phone": "9123456780"})

    def found(q):
        return {t["id"] for t in api.get("/api/v1/tickets", query_string={"q": q}).json["items"]}

    for written in ("09876543210", "98765 43210", "+91-98765-43210", "+919876543210"):
        assert found(written) == {sunita.id}, written
    assert found("murmu") == {sunita.id}  # the requester's name, any case
    assert found("chaibasa") == {meena.id}  # the block's name
    assert found("91234 56780") == {meena.id}
    assert found("98765") == set()  # part of a number is not a phone match
    assert found("%") == set() and found("_") == set()  # LIKE wildcards are literal


def test_a_new_ticket_is_written_once_with_its_dues_and_is_answered_without_a_select(
    api_as, make_user, make_block
):
    api = api_as(make_user("agent"))
    body = NEW_TICKET | {"block": make_block().code}
    assert api.post("/api/v1/tickets", json=body).status_code == 201  # its requester is on file
    statements = []

    def note(_conn, _cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        res = api.post("/api/v1/tickets", json=body)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    assert res.status_code == 201 and res.json["sla"]["first_response_due"]
    # The request's own transaction ends with its outbox row (jobs run in-process after it).
    outbox = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO outbox_jobs"))
    own = statements[: outbox + 1]
    touching = [s for s in own if "tickets" in s.split("(")[0] or "ticket_events" in s]
    if db.engine.dialect.name == "postgresql":  # the ticket and its event in one statement
        assert len(touching) == 1, touching
        assert touching[0].startswith("WITH new_ticket AS (INSERT INTO tickets (")
        assert ") INSERT INTO ticket_events (" in touching[0]
    else:
        assert [s.split(" (")[0] for s in touching] == [
            "INSERT INTO tickets",
            "INSERT INTO ticket_events",
        ]
    db.session.expire_all()
    ticket = db.session.get(Ticket, res.json["id"])
    assert ticket.first_response_due is not None and ticket.sla_policy == "High"
    assert [e.kind for e in ticket.events] == ["created"]


def _statements_during(request) -> tuple[object, list[str]]:
    statements: list[str] = []

    def note(_conn, _cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        return request(), statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)


def test_a_new_callers_contact_is_looked_up_and_written_in_one_round_trip(
    api_as, make_user, make_block
):
    api = api_as(make_user("agent"))
    body = NEW_TICKET | {"block": make_block().code}
    first, statements = _statements_during(lambda: api.post("/api/v1/tickets", json=body))
    assert first.status_code == 201
    on_contacts = [s for s in statements if "contacts" in s]
    if db.engine.dialect.name == "postgresql":
        assert len(on_contacts) == 1, on_contacts
        assert on_contacts[0].startswith("WITH found AS (SELECT contacts.id")
        assert "new_contact AS (INSERT INTO contacts (" in on_contacts[0]
    else:
        assert [s.split(" ")[0] for s in on_contacts] == ["SELECT", "INSERT"]

    again, statements = _statements_during(lambda: api.post("/api/v1/tickets", json=body))
    assert again.status_code == 201
    assert len([s for s in statements if "contacts" in s]) == 1  # found: nothing written
    assert again.json["requester"]["id"] == first.json["requester"]["id"]
    db.session.expire_all()
    contact = db.session.scalar(sa.select(Contact))
    assert (contact.phone, contact.name) == ("+919876543210", "Sunita Devi")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1


@needs_postgresql
def test_a_new_number_written_by_another_request_at_the_same_moment_is_taken_as_on_file(
    api_as, make_user, make_block
):
    """Two tickets from one new number at once: the one that finds the other's contact being
    written waits for it, then takes it (no second contact, no error)."""
    api = api_as(make_user("agent"))
    block = make_block()
    db.session.commit()
    body = NEW_TICKET | {"block": block.code}
    other = db.engine.connect()
    other_contact = other.execute(
        sa.insert(Contact).returning(Contact.id),
        {"name": "Sunita", "phone": "+919876543210", "block_id": block.id, "language": "hi"},
    ).scalar_one()
    answers = []
    request = threading.Thread(
        target=lambda: answers.append(api.post("/api/v1/tickets", json=body))
    )
    request.start()
    try:
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _waiting_for_a_lock(), "the request never waited for the other contact"
    finally:
        other.commit()
        other.close()
        request.join(10)
    assert answers[0].status_code == 201, answers[0].json
    assert answers[0].json["requester"]["id"] == other_contact
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1


def _waiting_for_a_lock() -> bool:
    # A connection of its own: inside a transaction pg_stat_activity does not change.
    with db.engine.connect() as connection:
        return bool(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            ).scalar()
        )


def test_a_ticket_whose_commit_fails_leaves_the_session(app, make_user, make_block, make_ticket):
    from sqlalchemy.orm import Session

    agent = make_user("agent")
    block = make_block().code  # committed before the commits start failing

    def fail(_session):
        raise RuntimeError("the commit fails")

    loaded = []  # held here: the identity map alone would let them be garbage-collected

    def note(_session, instance):
        loaded.append(instance)

    sa.event.listen(Session, "before_commit", fail)
    sa.event.listen(Session, "loaded_as_persistent", note)
    try:
        with pytest.raises(RuntimeError):
            make_ticket(actor=agent, block=block)
    finally:
        sa.event.remove(Session, "before_commit", fail)
        sa.event.remove(Session, "loaded_as_persistent", note)
    assert not [t for t in db.session.identity_map.values() if isinstance(t, Ticket)]
    # The new caller's contact, written with a Core INSERT too, left with the transaction.
    contacts = [c for c in loaded if isinstance(c, Contact)]
    assert contacts and not [c for c in contacts if c in db.session]
    ticket = make_ticket(actor=agent, block=block)  # on SQLite: the rolled-back one's id
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 1
    assert ticket.events[0].kind == "created"
