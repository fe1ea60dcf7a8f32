"""POST /api/v1/tickets/import: history replayed through the live rules, all or nothing.

October 2026 (times IST): Thu 1, Fri 2 (Gandhi Jayanti, a national holiday), Sat 3, Sun 4,
Mon 5, Tue 6, Wed 7, Thu 8, Fri 9, Sat 10. Default calendar Mon-Sat 09:00-18:00.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from helpdesk.console.models import Notification
from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.sla.configuration import add_holiday, install_defaults
from helpdesk.sla.models import SlaCalendar, SlaPolicy
from helpdesk.tickets.models import Message, Ticket, TicketEvent

IST = ZoneInfo("Asia/Kolkata")


def at(day, hour, minute=0, month=10):
    return datetime(2026, month, day, hour, minute, tzinfo=IST)


def iso(day, hour, minute=0):
    return at(day, hour, minute).isoformat()


@pytest.fixture
def people(make_user, make_block):
    block = make_block(code="KHUNTPANI")
    return {
        "manager": make_user("manager", email="manager@example.org"),
        "agent": make_user("agent", email="agent@example.org"),
        "brc": make_user("brc", block=block, email="brc@example.org"),
        "mentor": make_user(
            "mentor",
            email="mentor@example.org",
            skills=["bank-linkage"],
            languages=["hi"],
            states=["IN-JH"],
        ),
        "block": block,
    }


def ticket_a(**overrides):
    """Normal priority on the default calendar: crosses a holiday, a weekend and a pause."""
    return {
        "subject": "Loan papers for the tailoring unit",
        "description": "Which documents does the bank need for the business plan?",
        "category": "business-plan",
        "priority": "normal",
        "channel": "phone",
        "language": "hi",
        "block": "KHUNTPANI",
        "requester": {"name": "Sunita Devi", "phone": "09876543210"},
        "created_at": iso(1, 16),
        "created_by": "agent@example.org",
        "events": [
            {
                "at": iso(3, 10),
                "type": "reply",
                "by": "agent@example.org",
                "body": "Form 12 and the plan.",
            },
            {"at": iso(3, 11), "type": "status", "by": "agent@example.org", "status": "pending"},
            {"at": iso(6, 10), "type": "reply", "body": "We have them now, what next?"},
            {
                "at": iso(6, 11),
                "type": "reply",
                "by": "agent@example.org",
                "body": "Submit at the branch.",
            },
            {"at": iso(6, 12), "type": "status", "by": "agent@example.org", "status": "resolved"},
        ],
    } | overrides


def ticket_b(**overrides):
    """High priority bank linkage with lunch breaks and an admin-added holiday; left open."""
    return {
        "subject": "Bank linkage stuck",
        "description": "The branch has not answered for weeks.",
        "category": "bank-linkage",
        "priority": "high",
        "channel": "web",
        "language": "hi",
        "created_at": iso(6, 12, 30),
        "created_by": "brc@example.org",
        "events": [
            {
                "at": iso(6, 14, 45),
                "type": "note",
                "by": "agent@example.org",
                "body": "Calling the LDM.",
            },
            {"at": iso(6, 15), "type": "reply", "by": "agent@example.org", "body": "We are on it."},
        ],
    } | overrides


@pytest.fixture
def lunch_policy(app):
    install_defaults()
    db.session.add(
        SlaCalendar(
            name="lunch",
            tz="Asia/Kolkata",
            india_holidays=True,
            state_holidays=False,
            hours={str(d): [["09:00", "13:00"], ["14:00", "18:00"]] for d in range(6)},
        )
    )
    category_id = db.session.scalar(sa.text("SELECT id FROM categories WHERE slug='bank-linkage'"))
    db.session.add(
        SlaPolicy(
            name="Bank linkage",
            priority="high",
            category_id=category_id,
            first_response_minutes=60,
            next_response_minutes=120,
            resolution_minutes=1080,
            mentor_response_minutes=240,
            calendar="lunch",
            escalate_on_breach=True,
        )
    )
    db.session.flush()
    add_holiday("lunch", at(7, 0).date(), "District election")
    db.session.commit()


def counts():
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Ticket, Message, TicketEvent, Contact, Notification)
    }


def test_import_replays_history_with_live_sla_figures(api_as, people, lunch_policy, run_jobs):
    response = api_as(people["manager"]).post(
        "/api/v1/tickets/import", json={"tickets": [ticket_a(), ticket_b()]}
    )
    assert response.status_code == 201, response.json
    assert response.json["imported"] == 2
    run_jobs()
    a, b = (db.session.get(Ticket, i) for i in response.json["ids"])

    assert a.created_at == at(1, 16) and a.status == "resolved" and a.resolved_at == at(6, 12)
    # Thu 16-18 = 120, Fri 2 closed (holiday), Sat 09:00 + 120
    assert a.first_response_due == at(3, 11) and a.first_response_at == at(3, 10)
    # 360 used (Thu 120, Sat 120, Tue 120); the rest from Tue 12:00 runs to Sat 10 15:00;
    # the pending pause (Sat 11:00 to Tue 10:00) is not counted
    assert a.resolution_due == at(10, 15)
    assert a.sla_breached == []
    assert a.requester.phone == "+919876543210"

    assert b.sla_policy == "Bank linkage" and b.block.code == "KHUNTPANI"
    assert b.first_response_due == at(6, 14, 30)  # 30 before lunch, 30 after
    assert b.first_response_at == at(6, 15)  # the note did not count
    # Tue 270, Wed 7 closed by the admin, Thu 480, Fri 240 + lunch + 90
    assert b.resolution_due == at(9, 15, 30)
    assert b.sla_breached == ["first_response", "resolution"]  # still open: judged as of now
    assert b.status == "open" and b.mentor_id is None  # history escalates nobody

    # no acknowledgement, nobody notified about history
    assert not any(m.automatic for t in (a, b) for m in t.messages)
    assert counts()["Notification"] == 0
    api = api_as(people["agent"]).get(f"/api/v1/tickets/{a.id}").json
    assert [m["body"] for m in api["messages"]][:1] == ["Form 12 and the plan."]


def test_a_bad_ticket_in_the_middle_imports_nothing_and_is_named(api_as, people):
    before = counts()
    bad = ticket_a(
        events=[
            {"at": iso(3, 10), "type": "reply", "by": "agent@example.org", "body": "Form 12."},
            {"at": iso(3, 11), "type": "reply", "by": "nobody@example.org", "body": "?"},
        ]
    )
    response = api_as(people["manager"]).post(
        "/api/v1/tickets/import", json={"tickets": [ticket_a(), ticket_b(), bad, ticket_a()]}
    )
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"tickets[2].events[1].by": "no such user"}
    assert counts() == before


@pytest.mark.parametrize(
    "change, field, reason",
    [
        ({"created_at": "2026-10-01T16:00:00"}, "tickets[1].created_at", "timezone"),
        (
            {
                "events": [
                    {
                        "at": "2026-10-06 15:00",
                        "type": "reply",
                        "by": "agent@example.org",
                        "body": "x",
                    }
                ]
            },
            "tickets[1].events[0].at",
            "timezone",
        ),
        (
            {
                "events": [
                    {"at": iso(6, 15), "type": "reply", "by": "agent@example.org", "body": "x"},
                    {"at": iso(6, 14), "type": "reply", "body": "y"},
                ]
            },
            "tickets[1].events[1].at",
            "earlier than the event before it",
        ),
        (
            {
                "events": [
                    {"at": iso(5, 10), "type": "reply", "by": "agent@example.org", "body": "x"}
                ]
            },
            "tickets[1].events[0].at",
            "before created_at",
        ),
        (
            {
                "events": [
                    {
                        "at": iso(6, 15),
                        "type": "status",
                        "by": "agent@example.org",
                        "status": "closed",
                    },
                    {
                        "at": iso(6, 16),
                        "type": "status",
                        "by": "agent@example.org",
                        "status": "open",
                    },
                ]
            },
            "tickets[1].events[1].status",
            "not allowed from closed",
        ),
        (
            {"events": [{"at": iso(6, 15), "type": "note", "by": "brc@example.org", "body": "x"}]},
            "tickets[1].events[0].by",
            "staff or mentors",
        ),
        ({"category": "no-such-thing"}, "tickets[1].category", "unknown category"),
        (
            {"block": "NOWHERE", "created_by": "agent@example.org"},
            "tickets[1].block",
            "unknown block",
        ),
        ({"created_at": "2099-01-01T10:00:00+05:30"}, "tickets[1].created_at", "in the future"),
    ],
)
def test_each_kind_of_bad_history_is_a_422_naming_the_field(api_as, people, change, field, reason):
    before = counts()
    response = api_as(people["manager"]).post(
        "/api/v1/tickets/import", json={"tickets": [ticket_a(), ticket_b(**change)]}
    )
    assert response.status_code == 422, response.json
    fields = response.json["error"]["fields"]
    assert field in fields and reason in fields[field], fields
    assert counts() == before


def test_only_managers_and_admins_import_and_batches_are_bounded(api_as, people, make_user):
    body = {"tickets": [ticket_a()]}
    assert api_as(people["agent"]).post("/api/v1/tickets/import", json=body).status_code == 403
    assert api_as(people["brc"]).post("/api/v1/tickets/import", json=body).status_code == 403
    too_many = api_as(make_user("admin")).post(
        "/api/v1/tickets/import", json={"tickets": [ticket_a(events=[])] * 501}
    )
    assert too_many.status_code == 413 and "500" in too_many.json["error"]["message"]
    assert counts()["Ticket"] == 0


def test_a_failure_while_writing_rolls_back_the_whole_batch(api_as, people, monkeypatch):
    from helpdesk.tickets import importing

    real_replay, calls = importing._replay, []

    def failing_replay(item, users):
        calls.append(item)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_replay(item, users)

    monkeypatch.setattr(importing, "_replay", failing_replay)
    before = counts()
    response = api_as(people["manager"]).post(
        "/api/v1/tickets/import", json={"tickets": [ticket_a(), ticket_b()]}
    )
    assert response.status_code == 500 and len(calls) == 2
    db.session.rollback()
    assert counts() == before


def test_unit_of_work_is_re_entrant(app, people, make_ticket):
    from helpdesk.tickets import services

    before = counts()
    with pytest.raises(RuntimeError):
        with services.unit_of_work():
            make_ticket(actor=people["agent"], block="KHUNTPANI")  # an inner unit: no commit
            raise RuntimeError("later step fails")
    assert counts() == before
    # An inner failure that the caller swallows still stops the outer commit.
    with pytest.raises(RuntimeError, match="inner unit of work failed"):
        with services.unit_of_work():
            make_ticket(actor=people["agent"], block="KHUNTPANI")
            try:
                with services.unit_of_work():
                    raise ValueError("inner step fails")
            except ValueError:
                pass
    assert counts() == before
    with services.unit_of_work():
        first = make_ticket(actor=people["agent"], block="KHUNTPANI")
        second = make_ticket(actor=people["agent"], block="KHUNTPANI")
    db.session.expire_all()
    assert counts()["Ticket"] == 2 and first.first_response_due and second.first_response_due


def test_openapi_documents_the_import(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/tickets/import"]["post"]
    assert (
        "requester's" in operation["description"] and "ImportBatch" in spec["components"]["schemas"]
    )
