"""Telephony events: record each call, alert the console, pop the caller on the answering
agent's screen, and log the call on the caller's ticket when it ends.

Events are idempotent per (call_id, event): the telephony system retries, so a repeated
event changes nothing. Gateways also lose events, so an ``answer`` or ``hangup`` for a call
we never heard of creates it; a ``hangup`` before any ``answer`` is a missed call.
"""

import hmac
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from helpdesk.agents.models import STAFF_ROLES, User
from helpdesk.calls import callbacks, follow_ups
from helpdesk.calls.caller_context import new_ticket_url, ticket_summary
from helpdesk.calls.models import Call
from helpdesk.calls.schemas import CtiEventIn
from helpdesk.console import events
from helpdesk.contacts.models import Contact
from helpdesk.contacts.services import CallerLookup, lookup_caller
from helpdesk.errors import DomainError, ValidationFailed
from helpdesk.extensions import db
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from helpdesk.timeutil import utcnow


class NotConfigured(DomainError):
    """The shared secret of a gateway is not set: the endpoint is off, not open."""

    status = 503


class BadGatewayToken(DomainError):
    status = 401
    code = "unauthorized"


def check_gateway_token(sent: str | None, configured: str | None, *, header: str, setting: str):
    """Compare the gateway's shared secret in constant time. Unset setting → 503
    (``<setting>_not_configured``), missing or wrong header → 401."""
    if not configured:
        error = NotConfigured(f"{setting} is not configured on the helpdesk; this endpoint is off.")
        error.code = f"{setting.lower()}_not_configured"
        raise error
    if not sent or not hmac.compare_digest(sent.encode(), configured.encode()):
        raise BadGatewayToken(f"The {header} header is missing or wrong.")


def format_duration(seconds: int) -> str:
    """252 → "4 min 12 s"; 3725 → "1 h 2 min 5 s"; 0 → "0 s"."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if hours or minutes:
        parts.append(f"{minutes} min")
    parts.append(f"{secs} s")
    return " ".join(parts)


def handle_cti_event(data: CtiEventIn, *, now: datetime | None = None) -> tuple[Call, bool]:
    """Apply one telephony event; returns the call and whether the event changed anything
    (False for a repeat). An ``answer`` must name an active agent, manager or admin (422)."""
    now = now or utcnow()
    agent = _answering_agent(data) if data.event == "answer" else None
    with tickets.unit_of_work():
        call = _call_for(data, now)
        if data.event in (call.events_seen or []):
            return call, False
        call.events_seen = [*(call.events_seen or []), data.event]
        if data.event == "newCall":
            _on_new_call(call)
        elif data.event == "answer":
            _on_answer(call, agent, now)
        else:
            _on_hangup(call, data.cause, now)
    return call, True


def _answering_agent(data: CtiEventIn) -> User:
    if not data.user:
        raise ValidationFailed(
            "An answer event names the agent who answered.", {"user": "required on answer"}
        )
    agent = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == data.user.lower()))
    if agent is None or not agent.active or agent.role not in STAFF_ROLES:
        raise ValidationFailed(
            "The answering user is not an active agent.",
            {"user": "not an active agent, manager or admin"},
        )
    return agent


def _call_for(data: CtiEventIn, now: datetime) -> Call:
    """The call row for ``data.call_id``, created (with its caller looked up) on the first
    event we hear of it, whichever that is. Locked for the rest of the transaction so two
    deliveries of one event cannot both apply."""
    query = sa.select(Call).where(Call.call_id == data.call_id).with_for_update()
    call = db.session.scalar(query)
    if call is not None:
        return call
    call = Call(
        call_id=data.call_id,
        from_number=data.from_number,
        to_number=data.to_number,
        direction=data.direction,
        started_at=now,
        status="ringing",
        events_seen=[],
    )
    found = lookup_caller(call.party_number)
    call.contact = found.contacts[0] if found.contacts else None
    call.caller_user = found.users[0] if found.users else None
    try:
        # A savepoint: the same call's first event delivered twice at once must not fail.
        with db.session.begin_nested():
            db.session.add(call)
    except IntegrityError:
        call = db.session.scalar(query)
    return call


def _caller_context(call: Call, found: CallerLookup) -> dict:
    return {
        "call_id": call.call_id,
        "from": call.party_number,
        "direction": call.direction,
        "caller": found.people(),
        "caller_name": found.name,
        "open_tickets": [ticket_summary(t) for t in found.open_tickets],
    }


def _on_new_call(call: Call) -> None:
    if call.direction != "in":
        return  # an agent dialling out needs no alert
    events.queue_call_incoming(_caller_context(call, lookup_caller(call.party_number)))


def _on_answer(call: Call, agent: User, now: datetime) -> None:
    if call.answered_by_id is None:
        call.answered_by = agent
    if call.status in ("ended", "missed"):
        return  # the hangup overtook the answer: the call is over, nothing to pop
    call.answered_at = call.answered_at or now
    call.status = "answered"
    callbacks.close_for_answered_call(call, agent, now)
    found = lookup_caller(call.party_number)
    latest = found.open_tickets[0] if found.open_tickets else None
    payload = _caller_context(call, found) | {
        "ticket": ticket_summary(latest) if latest else None,
        "new_ticket_url": new_ticket_url(call.party_number),
    }
    events.queue_call_screenpop(agent.id, payload)


def _on_hangup(call: Call, cause: str | None, now: datetime) -> None:
    call.ended_at = now
    call.cause = cause
    if call.answered_at is not None:
        call.status = "ended"
        call.duration_seconds = max(0, int((now - call.answered_at).total_seconds()))
    else:
        call.status = "missed"
        call.duration_seconds = 0
        if call.direction == "in":
            callbacks.record_missed_call(call, now)
    ticket = call.ticket or _ticket_for_call(call)
    if ticket is None:
        return
    call.ticket = ticket
    if call.direction == "in":
        db.session.flush()
        follow_ups.mark_calls_followed_up(ticket.id, call.started_at, except_call=call.id)
    tickets.log_call(ticket, call.answered_by, _summary(call), _note(call), at=now)


def _ticket_for_call(call: Call) -> Ticket | None:
    """A ticket the answering agent opened for this caller during the call, else the
    caller's latest open ticket."""
    if call.answered_by_id is not None and call.answered_at is not None:
        requester_ids = sa.select(Contact.id).where(Contact.phone == call.party_number)
        during = db.session.scalar(
            sa.select(Ticket)
            .where(
                Ticket.created_by_id == call.answered_by_id,
                Ticket.created_at >= call.answered_at,
                Ticket.requester_id.in_(requester_ids),
            )
            .order_by(Ticket.id.desc())
            .limit(1)
        )
        if during is not None:
            return during
    found = lookup_caller(call.party_number)
    open_tickets = [t for t in found.open_tickets if t.status in OPEN_STATUSES]
    return open_tickets[0] if open_tickets else None


def _summary(call: Call) -> str:
    if call.status == "missed":
        return f"missed {call.direction} {call.party_number}"
    return f"{call.direction} {call.party_number} {call.duration_seconds} s"


def _note(call: Call) -> str:
    party = f"from {call.party_number}" if call.direction == "in" else f"to {call.party_number}"
    if call.status == "missed":
        text = f"Missed call {party}"
    else:
        text = f"Call {party}, {format_duration(call.duration_seconds or 0)}"
        if call.answered_by is not None:
            text += f", answered by {call.answered_by.name}"
    return text + (f", cause: {call.cause}" if call.cause else "")
