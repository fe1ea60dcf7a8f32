"""`flask --app wsgi seed-demo`: realistic, multilingual, repeatable demo data."""

import re
from datetime import timedelta

import sqlalchemy as sa

from helpdesk.agents.models import ROLES, User
from helpdesk.agents.services import authenticate
from helpdesk.contacts.models import Contact
from helpdesk.enterprises.models import Enterprise
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District, State
from helpdesk.replies.models import CannedResponse
from helpdesk.tickets.categories import DEFAULT_CATEGORIES
from helpdesk.tickets.models import STATUSES, Message, Ticket, TicketEvent
from helpdesk.timeutil import utcnow

CREDENTIAL_LINE = re.compile(r"^(admin|manager|agent|mentor|brc)\s+(\S+@\S+)\s+(\S+)", re.MULTILINE)
DEVANAGARI = re.compile("[\u0900-\u097f]")
MALAYALAM = re.compile("[\u0d00-\u0d7f]")


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _seed(runner, tickets: int = 210):
    result = runner.invoke(args=["seed-demo", "--tickets", str(tickets)])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_seed_demo(app, runner, api_as):
    """One load (it takes a few seconds) checked four ways, then loaded again."""
    result = _seed(runner)
    db.session.expire_all()
    _check_contents(result.output)
    _check_history()
    _check_a_working_call_centre(api_as)
    _check_second_run_adds_nothing(runner)


def _check_a_working_call_centre(api_as) -> None:
    """Most first responses meet their target, as on a working floor; the demo people's
    trays hold a readable handful of alerts, not hundreds."""
    manager = db.session.scalar(sa.select(User).where(User.role == "manager"))
    today = utcnow().date()
    report = (
        api_as(manager)
        .get(f"/api/v1/reports/sla?from={today - timedelta(days=90)}&to={today}&group_by=priority")
        .get_json()
    )
    first = report["totals"]["first_response"]
    assert first["met"] >= 0.85 * report["totals"]["tickets"], first
    assert first["breached"] <= 0.1 * report["totals"]["tickets"], first
    for user in db.session.scalars(sa.select(User).where(User.role.in_(["agent", "manager"]))):
        tray = api_as(user).get("/api/v1/notifications").get_json()
        assert tray["unread"] <= 25, (user.email, tray["unread"])


def _check_contents(output: str) -> None:
    assert _count(Ticket) >= 200
    roles = set(db.session.scalars(sa.select(User.role)))
    assert roles == set(ROLES)
    states = set(
        db.session.scalars(
            sa.select(State.code)
            .join(District)
            .join(Block)
            .join(Ticket, Ticket.block_id == Block.id)
        )
    )
    assert len(states) >= 8
    used = set(db.session.scalars(sa.select(Ticket.category_id).distinct()))
    assert len(used) == len(DEFAULT_CATEGORIES)
    assert set(db.session.scalars(sa.select(Ticket.status).distinct())) == set(STATUSES)
    assert _count(CannedResponse) >= 5 and _count(Enterprise) >= 5
    assert db.session.scalar(sa.select(sa.func.count()).where(Ticket.enterprise_id.is_not(None)))
    assert {"phone", "web", "sms", "email", "api"} <= set(
        db.session.scalars(sa.select(Ticket.channel).distinct())
    )

    def texts(language: str) -> str:
        tickets = db.session.scalars(sa.select(Ticket).where(Ticket.language == language)).all()
        return " ".join(t.subject + t.description for t in tickets)

    assert DEVANAGARI.search(texts("hi")) and MALAYALAM.search(texts("ml"))
    replies = " ".join(
        db.session.scalars(
            sa.select(Message.body).where(
                Message.internal.is_(False),
                Message.automatic.is_(False),
                Message.author_id.is_not(None),
            )
        )
    )
    assert DEVANAGARI.search(replies) and MALAYALAM.search(replies)

    # Every printed sign-in works.
    printed = CREDENTIAL_LINE.findall(output)
    assert {role for role, _email, _password in printed} == set(ROLES)
    for role, email, password in printed:
        user = authenticate(email, password)
        assert user is not None and user.role == role, email


def _check_history() -> None:
    now = utcnow()
    tickets = db.session.scalars(sa.select(Ticket)).all()
    created = [t.created_at for t in tickets]
    assert min(created) < now - timedelta(days=30) and max(created) <= now
    # Nothing happened before its ticket was created, nor in the future.
    for ticket in tickets:
        moments = [e.at for e in ticket.events] + [m.created_at for m in ticket.messages]
        assert all(ticket.created_at <= moment <= now for moment in moments), ticket.number
    assert all(t.mentor is not None for t in tickets if t.status == "escalated")
    assert all(t.resolved_at is not None for t in tickets if t.status in ("resolved", "closed"))
    assert db.session.scalar(sa.select(sa.func.count()).where(Message.internal.is_(True))) > 0
    assert db.session.scalar(sa.select(sa.func.count()).where(TicketEvent.kind == "mentor")) > 0
    # Callers are MECs with Indian mobiles, several of whom call again and again.
    phones = db.session.scalars(sa.select(Contact.phone)).all()
    assert phones and all(re.fullmatch(r"\+91[6-9]\d{9}", p) for p in phones)
    per_caller = db.session.scalars(
        sa.select(sa.func.count()).select_from(Ticket).group_by(Ticket.requester_id)
    ).all()
    assert max(per_caller) >= 3


def _check_second_run_adds_nothing(runner) -> None:
    before = {model: _count(model) for model in (Ticket, User, Block, Contact, Message)}
    again = _seed(runner)
    db.session.expire_all()
    assert "already present" in again.output
    assert {model: _count(model) for model in before} == before
    assert len(CREDENTIAL_LINE.findall(again.output)) == before[User]


def test_seed_demo_finishes_an_interrupted_run(app):
    from helpdesk.demo.data import MARKER_EMAIL
    from helpdesk.demo.seed import seed_demo

    seed_demo(ticket_count=40, echo=lambda _line: None)
    tickets = _count(Ticket)
    # As if the run had stopped before its last step, which creates the admin.
    db.session.execute(sa.delete(User).where(User.email == MARKER_EMAIL))
    db.session.commit()
    credentials = seed_demo(ticket_count=40, echo=lambda _line: None)
    assert _count(Ticket) == tickets == 40
    assert {c["role"] for c in credentials} == set(ROLES)
    assert authenticate(MARKER_EMAIL, "admin-demo-1") is not None
