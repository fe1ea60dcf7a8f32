"""First-contact resolution rests on knowing whether the requester came back after a call:
a later inbound call logged on the ticket, or a public reply from the requester's side."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_migrate import downgrade, upgrade

from config import TestingConfig
from helpdesk import create_app
from helpdesk.calls import services as calls
from helpdesk.calls.models import Call
from helpdesk.calls.schemas import CtiEventIn
from helpdesk.extensions import db
from helpdesk.tickets import services as tickets
from helpdesk.tickets.schemas import MessageCreate
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)

T0 = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)


def answered_call(call_id: str, agent, at: datetime) -> Call:
    """A call answered 5 s after ``at`` and hung up 3 min after it, through the CTI service."""
    base = {"call_id": call_id, "from": "9876543210", "direction": "in"}
    steps = (("newCall", {}, 0), ("answer", {"user": agent.email}, 5), ("hangup", {}, 180))
    with current_app.test_request_context():  # the screen-pop carries links
        for event, extra, seconds in steps:
            data = CtiEventIn.model_validate(base | {"event": event} | extra)
            call, _ = calls.handle_cti_event(data, now=at + timedelta(seconds=seconds))
    return call


def followed_up() -> dict[str, datetime | None]:
    db.session.expire_all()
    return {c.call_id: c.followed_up_at for c in db.session.scalars(sa.select(Call))}


def test_a_later_call_on_the_ticket_follows_up_the_earlier_one(app, make_user, make_ticket):
    agent = make_user("agent")
    ticket = make_ticket(requester={"name": "Sunita Devi", "phone": "9876543210"})
    first = answered_call("c-1", agent, T0)
    assert first.ticket_id == ticket.id
    assert followed_up() == {"c-1": None}
    answered_call("c-2", agent, T0 + timedelta(hours=2))
    assert followed_up() == {"c-1": T0 + timedelta(hours=2), "c-2": None}


def test_only_a_public_reply_from_the_requesters_side_follows_up(app, make_user, make_ticket):
    agent = make_user("agent")
    ticket = make_ticket(requester={"name": "Sunita Devi", "phone": "9876543210"})
    brc = make_user("brc", block=ticket.block)
    answered_call("c-1", agent, T0)
    later = T0 + timedelta(hours=1)
    tickets.add_message(ticket, agent, MessageCreate(body="Sent the form."), now=later)
    tickets.add_message(ticket, agent, MessageCreate(body="Note", internal=True), now=later)
    assert followed_up() == {"c-1": None}
    tickets.add_message(ticket, brc, MessageCreate(body="She still waits."), now=later)
    assert followed_up() == {"c-1": later}


def test_the_migration_backfills_followed_up_at(empty_database_url):  # noqa: F811
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config)
    with app.app_context():
        upgrade()
        downgrade(revision="0010")
        run = db.session.execute
        run(sa.text("INSERT INTO districts (id, state_id, name) VALUES (1, 1, 'D')"))
        run(sa.text("INSERT INTO blocks (id, code, name, district_id) VALUES (1, 'B', 'B', 1)"))
        run(
            sa.text(
                "INSERT INTO users (id, email, name, role, password_hash, languages, skills, "
                "states, active, created_at) VALUES (1, 'brc@x.org', 'B', 'brc', 'x', '[]', "
                "'[]', '[]', true, :t)"
            ),
            {"t": T0},
        )
        run(
            sa.text(
                "INSERT INTO tickets (id, subject, description, status, priority, channel, "
                "language, category_id, block_id, created_at, updated_at, sla_breached, "
                "first_response_breached, resolution_breached) VALUES (1, 's', 'd', 'open', "
                "'normal', 'phone', 'hi', 1, 1, :t, :t, '[]', false, false)"
            ),
            {"t": T0},
        )
        for n, hours in ((1, 0), (2, 5), (3, 9)):
            run(
                sa.text(
                    "INSERT INTO calls (id, call_id, from_number, direction, ticket_id, "
                    "started_at, status, events_seen) VALUES (:n, :cid, '+919876543210', 'in', "
                    "1, :t, 'ended', '[]')"
                ),
                {"n": n, "cid": f"c-{n}", "t": T0 + timedelta(hours=hours)},
            )
        for n, (hours, author, internal) in enumerate(((2, 1, False), (1, None, True)), 1):
            run(
                sa.text(
                    "INSERT INTO messages (id, ticket_id, author_id, body, internal, channel, "
                    "automatic, created_at) VALUES (:n, 1, :a, 'm', :i, 'web', false, :t)"
                ),
                {"n": n, "a": author, "i": internal, "t": T0 + timedelta(hours=hours)},
            )
        db.session.commit()
        upgrade()
        rows = db.session.execute(sa.text("SELECT call_id, followed_up_at FROM calls")).all()
        found = {
            cid: (at if isinstance(at, datetime) else datetime.fromisoformat(at))
            for cid, at in rows
            if at is not None
        }
        db.session.remove()
        db.engine.dispose()
    as_utc = {k: v.replace(tzinfo=UTC) if v.tzinfo is None else v for k, v in found.items()}
    # c-1: the BRC reply at +2 h (before call 2 at +5 h); c-2: call 3; c-3: nothing after it.
    assert as_utc == {"c-1": T0 + timedelta(hours=2), "c-2": T0 + timedelta(hours=9)}
