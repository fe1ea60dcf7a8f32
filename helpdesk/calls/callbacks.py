"""Callbacks: a caller whose inbound call nobody answered is owed a call back.

Rules:

- An abandoned inbound call (hung up before an answer: a "missed call") opens a callback
  for its number, or adds to the one already open: one open callback per number, with the
  count of missed calls and the latest one's time.
- An agent closes it with a note saying what came of it (``mark_done``).
- A later answered call with that number, in or out, closes it by itself, with a note
  saying so: the caller has been reached.
- Only call-centre staff (agents, managers, admins) see callbacks: they name the caller and
  their tickets. BRC staff and mentors never do.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from helpdesk.agents.models import User
from helpdesk.calls.caller_context import new_ticket_url, ticket_summary
from helpdesk.calls.models import Call, Callback
from helpdesk.console import events
from helpdesk.contacts.services import lookup_caller
from helpdesk.errors import Conflict, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.tickets import services as tickets
from helpdesk.tickets.queries import Page
from helpdesk.timeutil import IST, isoformat, utcnow


def _open_callback(phone: str) -> Callback | None:
    query = sa.select(Callback).where(Callback.phone == phone, Callback.status == "open")
    return db.session.scalar(query.with_for_update())


def record_missed_call(call: Call, at: datetime) -> Callback:
    """Inside the hangup's unit of work: the missed inbound ``call`` opens a callback for its
    number or counts on the open one. Announced to staff consoles after the commit."""
    phone = call.party_number
    callback = _open_callback(phone)
    if callback is None:
        callback = Callback(
            phone=phone,
            status="open",
            missed_calls=1,
            first_missed_at=call.started_at or at,
            last_missed_at=call.started_at or at,
            last_call=call,
        )
        callback = _insert_once(callback)
        if callback.last_call is call:
            _announce(callback)
            return callback
    callback.missed_calls += 1
    if (call.started_at or at) >= callback.last_missed_at:
        callback.last_missed_at = call.started_at or at
        callback.last_call = call
    _announce(callback)
    return callback


def _insert_once(callback: Callback) -> Callback:
    """Add ``callback``; if another process opened one for the number meanwhile (two missed
    calls hanging up at once), that one is returned instead."""
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite runs one writer at a time; a savepoint before the transaction's first
        # write would become the outermost transaction (see contacts.services).
        db.session.add(callback)
        db.session.flush()
        return callback
    try:
        with db.session.begin_nested():
            db.session.add(callback)
    except IntegrityError:
        return _open_callback(callback.phone)
    return callback


def close_for_answered_call(call: Call, agent: User | None, at: datetime) -> Callback | None:
    """Inside the answer's unit of work: the caller behind ``call`` was reached, so their
    open callback (missed before this answer) closes with a note saying so."""
    callback = _open_callback(call.party_number)
    if callback is None or callback.last_missed_at > at:
        return None
    direction = "their call" if call.direction == "in" else "our call"
    who = f" by {agent.name}" if agent is not None else ""
    when = at.astimezone(IST).strftime("%d %b %Y %H:%M IST")
    _close(
        callback,
        agent,
        f"Closed by itself: {direction} was answered{who} on {when}.",
        at,
    )
    callback.closed_by_call = call
    _announce(callback)
    return callback


def mark_done(callback_id: int, user: User, note: str, *, now: datetime | None = None) -> Callback:
    """Staff called back (or decided not to): close the callback with their note. An empty
    note is a 422, an unknown id a 404, a callback already closed a 409."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(N_("Say what came of the callback."), {"note": "must not be empty"})
    with tickets.unit_of_work():
        callback = db.session.scalar(
            sa.select(Callback).where(Callback.id == callback_id).with_for_update()
        )
        if callback is None:
            raise NotFound(N_("No such callback."))
        if callback.status != "open":
            raise Conflict(N_("This callback is already closed."))
        _close(callback, user, note, now or utcnow())
        _announce(callback)
    return callback


def _close(callback: Callback, user: User | None, note: str, at: datetime) -> None:
    callback.status = "done"
    callback.done_at = at
    callback.done_by = user
    callback.note = note


def open_callbacks(page: int = 1, per_page: int = 50) -> Page:
    """Open callbacks, the longest waiting first."""
    query = sa.select(Callback).where(Callback.status == "open")
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.options(selectinload(Callback.last_call))
        .order_by(Callback.first_missed_at, Callback.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total or 0)


def callback_to_dict(callback: Callback) -> dict:
    """A callback as the API and the console show it, with the caller's context: who is
    behind the number (contacts, BRC staff), their block and open tickets."""
    found = lookup_caller(callback.phone)
    people = found.people()
    block_code = next((p["block"] for p in people if p["block"]), None)
    return {
        "id": callback.id,
        "phone": callback.phone,
        "status": callback.status,
        "missed_calls": callback.missed_calls,
        "first_missed_at": isoformat(callback.first_missed_at),
        "last_missed_at": isoformat(callback.last_missed_at),
        "caller_name": found.name,
        "caller": people,
        "block": block_code,
        "open_tickets": [ticket_summary(t) for t in found.open_tickets],
        "new_ticket_url": new_ticket_url(callback.phone),
        "done_at": isoformat(callback.done_at),
        "done_by": (
            {"id": callback.done_by.id, "name": callback.done_by.name}
            if callback.done_by is not None
            else None
        ),
        "note": callback.note,
        "last_call": callback.last_call.call_id if callback.last_call else None,
        "closed_by_call": callback.closed_by_call.call_id if callback.closed_by_call else None,
    }


def _announce(callback: Callback) -> None:
    db.session.flush()
    events.queue_callback_changed(callback_to_dict(callback))
