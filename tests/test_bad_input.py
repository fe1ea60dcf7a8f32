"""Bad input gets the contract's 4xx error shape and leaves the database unchanged."""

import pytest
import sqlalchemy as sa

from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.jobs.models import OutboxJob
from helpdesk.tickets.models import Message, Ticket, TicketEvent

GOOD = {
    "subject": "MEC fee dispute with the CLF",
    "description": "The CLF has not paid the MEC fee agreed in the MoU.",
    "category": "mec-fees-mou",
    "block": "JH-KHUNTPANI",
    "requester": {"name": "Rekha Kumari", "phone": "9876543210"},
}


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Ticket, Message, TicketEvent, Contact, OutboxJob)
    }


@pytest.fixture
def agent_api(api_as, make_user, make_block):
    make_block(code="JH-KHUNTPANI", name="Khuntpani")
    return api_as(make_user("agent"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"priority": "critical"}, "priority"),
        ({"channel": "fax"}, "channel"),
        ({"language": "klingon"}, "language"),
        ({"subject": "x" * 201}, "subject"),
        ({"subject": ""}, "subject"),
        ({"subject": 42}, "subject"),
        ({"description": ["not", "text"]}, "description"),
        ({"category": "astrology"}, "category"),
        ({"block": "NOWHERE"}, "block"),
        ({"requester": {"name": "Rekha", "phone": "12345"}}, "requester.phone"),
        ({"requester": "Rekha"}, "requester"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_invalid_ticket_fields_are_422_naming_the_field(agent_api, change, field):
    before = row_counts()
    res = agent_api.post("/api/v1/tickets", json=GOOD | change)
    assert res.status_code == 422, res.json
    assert res.json["error"]["code"] == "validation_failed"
    assert field in res.json["error"]["fields"]
    assert row_counts() == before


def test_missing_block_for_an_agent_is_422(agent_api):
    body = {k: v for k, v in GOOD.items() if k != "block"}
    res = agent_api.post("/api/v1/tickets", json=body)
    assert res.status_code == 422 and res.json["error"]["fields"] == {"block": "required"}


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ('{"subject": "unterminated', "application/json", 400),
        ("[1, 2, 3]", "application/json", 400),
        ("subject=hello", "application/x-www-form-urlencoded", 415),
    ],
)
def test_malformed_bodies(agent_api, data, content_type, status):
    before = row_counts()
    res = agent_api.post("/api/v1/tickets", data=data, headers={"Content-Type": content_type})
    assert res.status_code == status
    assert set(res.json["error"]) == {"code", "message", "fields"}
    assert row_counts() == before


def test_oversized_body_is_413(agent_api):
    res = agent_api.post("/api/v1/tickets", json=GOOD | {"description": "क" * 600_000})
    assert res.status_code == 413 and res.json["error"]["code"] == "payload_too_large"


def test_bad_patch_and_message_leave_ticket_unchanged(agent_api, make_ticket, make_user):
    ticket = make_ticket(block="JH-KHUNTPANI")
    before = row_counts()
    mentor = make_user("mentor")
    for body in (
        {"status": "archived"},
        {"priority": None},
        {"assignee": mentor.id},
        {"assignee": "bob"},
        {"category": "nope"},
        {"language": 7},
    ):
        res = agent_api.patch(f"/api/v1/tickets/{ticket.id}", json=body)
        assert res.status_code == 422, (body, res.json)
    assert (
        agent_api.post(f"/api/v1/tickets/{ticket.id}/messages", json={"body": ""}).status_code
        == 422
    )
    assert (
        agent_api.post(
            f"/api/v1/tickets/{ticket.id}/messages", json={"body": "ok", "internal": "yes"}
        ).status_code
        == 422
    )
    assert row_counts() == before
    db.session.refresh(ticket)
    assert (ticket.status, ticket.priority, ticket.assignee_id) == ("new", "normal", None)


def test_unknown_ticket_and_route_are_json_404(agent_api):
    assert agent_api.get("/api/v1/tickets/999999").json["error"]["code"] == "not_found"
    assert agent_api.get("/api/v1/nothing-here").status_code == 404
    res = agent_api.delete("/api/v1/tickets")
    assert res.status_code == 405 and res.json["error"]["code"] == "method_not_allowed"


def test_bad_block_creation_is_rejected(api_as, make_user):
    admin = api_as(make_user("admin"))
    res = admin.post(
        "/api/v1/blocks", json={"code": "X", "name": "X", "district": "D", "state": "IN-XX"}
    )
    assert res.status_code == 422 and "state" in res.json["error"]["fields"]
    res = admin.post(
        "/api/v1/blocks", json={"code": "X" * 41, "name": "X", "district": "D", "state": "IN-JH"}
    )
    assert res.status_code == 422 and "code" in res.json["error"]["fields"]
