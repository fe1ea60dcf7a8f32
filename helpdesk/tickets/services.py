"""The ticket lifecycle: every entry point (web, API, SMS, import) changes tickets here.

Each public function validates everything before it writes, writes the change and its
audit events in one transaction, and commits; on any error nothing is written.

SLA: every ticket that got an audit event in a unit of work has its SLA state refreshed
(``sla_policies.refresh_sla``: due dates, breaches, warnings) before the commit, as of the
moment of its latest event; after the commit its warning and breach timers are scheduled.
Functions take an optional ``now`` (default: the current time) so imports and tests can
replay a history.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from helpdesk import jobs
from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES, User
from helpdesk.console import events
from helpdesk.console.notifications import notify
from helpdesk.console.settings import auto_assign_enabled
from helpdesk.contacts.models import Contact
from helpdesk.contacts.services import find_or_create_contact
from helpdesk.errors import Conflict, Forbidden, ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District
from helpdesk.tickets import sla_policies, sla_timers
from helpdesk.tickets.models import Category, Message, Ticket, TicketEvent
from helpdesk.tickets.schemas import MessageCreate, TicketCreate, TicketUpdate
from helpdesk.timeutil import utcnow

SOLVED_STATUSES = {"resolved", "closed"}
#: allowed status changes; ``closed`` is final, a resolved ticket can be reopened
TRANSITIONS: dict[str, set[str]] = {
    "new": {"open", "pending", "escalated", "resolved", "closed"},
    "open": {"pending", "escalated", "resolved", "closed"},
    "pending": {"open", "escalated", "resolved", "closed"},
    "escalated": {"open", "pending", "resolved", "closed"},
    "resolved": {"open", "closed"},
    "closed": set(),
}


_TOUCHED_KEY = "sla_touched_tickets"
_DEPTH_KEY = "unit_of_work_depth"
_FAILED_KEY = "unit_of_work_inner_failed"


@contextmanager
def unit_of_work(*, historical: bool = False) -> Iterator[None]:
    """Commit what the block wrote (with the SLA state of the tickets it touched), then
    deliver its jobs, schedule SLA timers and announce the changes on the live console;
    roll everything back on error.

    Re-entrant: a unit of work opened inside another one joins it. Only the outermost one
    refreshes SLA state, commits (or rolls back everything), delivers jobs and sends events,
    once. If an inner block fails, the outer one refuses to commit even if the caller
    swallowed the error.

    ``historical=True`` (imports of past tickets) records SLA warnings and breaches without
    notifying anyone or escalating, and sends no live ticket events.
    """
    info = db.session.info
    if info.get(_DEPTH_KEY):
        info[_DEPTH_KEY] += 1
        try:
            yield
        except BaseException:
            info[_FAILED_KEY] = True
            raise
        finally:
            info[_DEPTH_KEY] -= 1
        return
    info[_DEPTH_KEY] = 1
    if historical:
        info[sla_policies.HISTORICAL_KEY] = True
    try:
        yield
        if info.pop(_FAILED_KEY, False):
            raise RuntimeError("an inner unit of work failed; nothing is committed")
        touched = info.pop(_TOUCHED_KEY, {})
        plans = [
            (ticket.id, sla_policies.refresh_sla(ticket, at).upcoming())
            for ticket, at in touched.values()
        ]
        if historical:
            events.discard_pending()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for key in (_TOUCHED_KEY, _FAILED_KEY):
            info.pop(key, None)
        jobs.discard_pending()
        events.discard_pending()
        raise
    finally:
        info.pop(_DEPTH_KEY, None)
        info.pop(sla_policies.HISTORICAL_KEY, None)
    # Consoles first: the live event is what a waiting person sees; handing jobs to RQ and
    # scheduling SLA timers are Redis round trips (measured ~40 ms under load) nobody waits on.
    events.send_pending()
    jobs.deliver_pending()
    sla_timers.schedule(plans)


def refresh_sla_as_of(ticket: Ticket, at: datetime) -> None:
    """In the current unit of work, evaluate ``ticket``'s SLA as of ``at`` rather than as of
    its latest event (an imported ticket still open is judged as of now)."""
    db.session.info.setdefault(_TOUCHED_KEY, {})[id(ticket)] = (ticket, at)


def record_event(
    ticket: Ticket, actor: User | None, kind: str, old=None, new=None, *, at: datetime | None = None
) -> None:
    at = at or utcnow()
    db.session.add(
        TicketEvent(
            ticket=ticket,
            actor=actor,
            kind=kind,
            old_value=None if old is None else str(old)[:200],
            new_value=None if new is None else str(new)[:200],
            at=at,
        )
    )
    events.queue_ticket_event(ticket, "ticket.created" if kind == "created" else "ticket.updated")
    touched = db.session.info.setdefault(_TOUCHED_KEY, {})
    previous = touched.get(id(ticket))
    touched[id(ticket)] = (ticket, max(at, previous[1]) if previous else at)


def category_by_slug(slug: str) -> Category | None:
    return db.session.scalar(sa.select(Category).where(Category.slug == slug))


def block_by_code(code: str) -> Block | None:
    # The ticket's answer shows the block's district and state: load them in the same query.
    return db.session.scalar(
        sa.select(Block)
        .where(Block.code == code)
        .options(joinedload(Block.district).joinedload(District.state))
    )


def create_ticket(
    data: TicketCreate,
    actor: User | None,
    *,
    now: datetime | None = None,
    live: bool = True,
) -> Ticket:
    """Open a ticket. A BRC user's ticket belongs to their block whatever ``data`` says.
    ``live=False`` (imported history) sends the requester no acknowledgement and leaves the
    ticket to auto-assignment neither."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    if actor is not None and actor.role == "brc":
        block = actor.block
    elif data.block is None:
        block, errors["block"] = None, "required"
    else:
        block = block_by_code(data.block)
        if block is None:
            errors["block"] = "unknown block"
    category = category_by_slug(data.category)
    if category is None:
        errors["category"] = "unknown category"
    if errors:
        raise ValidationFailed("The ticket has invalid fields.", errors)
    if actor is not None:
        access.require_block_in_reach(actor, block)

    with unit_of_work():
        ticket = Ticket(
            subject=data.subject,
            description=data.description,
            priority=data.priority,
            channel=data.channel,
            language=data.language,
            category=category,
            block=block,
            requester=_requester_for(data, actor, block),
            created_by=actor,
            status="new",
            created_at=now,
            updated_at=now,
            sla_breached=[],
        )
        sla_policies.assign_policy(ticket)
        db.session.add(ticket)
        db.session.flush()
        record_event(ticket, actor, "created", None, ticket.status, at=now)
        if live:
            jobs.enqueue("tickets.acknowledge", ticket.id)
            if auto_assign_enabled():
                jobs.enqueue("console.auto_assign", ticket.id)
    return ticket


def _requester_for(data: TicketCreate, actor: User | None, block: Block) -> Contact | None:
    if data.requester is not None:
        return find_or_create_contact(
            data.requester.name, data.requester.phone, block, data.language
        )
    if actor is not None and actor.role == "brc":
        return find_or_create_contact(actor.name, actor.phone, block, data.language)
    return None


def add_message(
    ticket: Ticket,
    author: User | None,
    data: MessageCreate,
    *,
    channel: str = "web",
    contact: Contact | None = None,
    automatic: bool = False,
    now: datetime | None = None,
) -> Message:
    """Add a reply or internal note. A requester-side reply reopens a pending or resolved
    ticket; the first public reply by an agent or mentor is the ticket's first response."""
    if data.internal and (author is None or not access.may_write_internal_notes(author)):
        raise Forbidden("Only call-centre staff and mentors write internal notes.")
    if ticket.status == "closed":
        raise Conflict("This ticket is closed; raise a new ticket instead.")
    now = now or utcnow()
    with unit_of_work():
        message = Message(
            ticket=ticket,
            author=author,
            contact=contact if author is None else None,
            body=data.body,
            internal=data.internal,
            channel=channel,
            automatic=automatic,
            created_at=now,
        )
        db.session.add(message)
        record_event(ticket, author, "message", None, "note" if data.internal else "reply", at=now)
        if not data.internal and not automatic:
            if message.from_requester_side:
                if ticket.status in ("pending", "resolved"):
                    _set_status(ticket, author, "open", now=now)
            else:
                if ticket.first_response_at is None:
                    ticket.first_response_at = now
                if ticket.status == "new":
                    _set_status(ticket, author, "open", now=now)
                _deliver_reply(ticket, message)
                _notify_mentor_answer(ticket, author)
        ticket.updated_at = now
    return message


def _deliver_reply(ticket: Ticket, message: Message) -> None:
    """Send a staff member's public reply back over the ticket's channel where that needs
    more than the web (an SMS ticket's reply goes out as a text)."""
    if ticket.channel == "sms":
        from helpdesk.calls.sms import queue_reply

        queue_reply(ticket, message)


def log_call(
    ticket: Ticket, agent: User | None, summary: str, note: str, *, at: datetime | None = None
) -> Message:
    """Record a telephone call on ``ticket`` inside the caller's unit of work: an audited
    ``call`` event and an automatic internal note. Neither is a response to the requester,
    so no SLA clock and no status changes."""
    at = at or utcnow()
    message = Message(
        ticket=ticket,
        author=None,
        body=note,
        internal=True,
        channel="phone",
        automatic=True,
        created_at=at,
    )
    db.session.add(message)
    record_event(ticket, agent, "call", None, summary, at=at)
    return message


def _notify_mentor_answer(ticket: Ticket, author: User | None) -> None:
    """The mentor a ticket was escalated to answered publicly: tell its assignee or, when
    nobody holds it, whoever escalated it (the call-centre side follows it up)."""
    if author is None or author.role != "mentor" or author.id != ticket.mentor_id:
        return
    recipient_id = ticket.assignee_id
    if recipient_id is None:
        recipient_id = db.session.scalar(
            sa.select(TicketEvent.actor_id)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "mentor")
            .order_by(TicketEvent.id.desc())
            .limit(1)
        )
    if recipient_id is not None and recipient_id != author.id:
        notify(
            [recipient_id],
            "mentor.answered",
            f"{author.name} answered {ticket.number}: {ticket.subject}",
            ticket=ticket,
        )


def update_ticket(
    ticket: Ticket, actor: User, data: TicketUpdate, *, now: datetime | None = None
) -> Ticket:
    """Change status, priority, category, assignee or language, each change audited. A new
    priority or category selects the SLA policy again."""
    now = now or utcnow()
    sent = set(data.model_fields_set)
    access.require_editable(actor, sent)
    errors: dict[str, str] = {}
    category = assignee = None
    if "category" in sent:
        category = category_by_slug(data.category) if data.category else None
        if category is None:
            errors["category"] = "unknown category"
    if "assignee" in sent and data.assignee is not None:
        assignee = db.session.get(User, data.assignee)
        if assignee is None or not assignee.active or assignee.role not in STAFF_ROLES:
            errors["assignee"] = "not an active agent, manager or admin"
    for field in ("status", "priority", "language"):
        if field in sent and getattr(data, field) is None:
            errors[field] = "may not be null"
    if errors:
        raise ValidationFailed("The change has invalid fields.", errors)
    if "status" in sent and data.status != ticket.status:
        _check_transition(ticket, data.status)

    with unit_of_work():
        reselect = False
        if "priority" in sent and data.priority != ticket.priority:
            record_event(ticket, actor, "priority", ticket.priority, data.priority, at=now)
            ticket.priority = data.priority
            reselect = True
        if "language" in sent and data.language != ticket.language:
            record_event(ticket, actor, "language", ticket.language, data.language, at=now)
            ticket.language = data.language
        if category is not None and category.id != ticket.category_id:
            record_event(ticket, actor, "category", ticket.category.slug, category.slug, at=now)
            ticket.category = category
            reselect = True
        if reselect:
            sla_policies.assign_policy(ticket)
        if "assignee" in sent and data.assignee != ticket.assignee_id:
            _set_assignee(ticket, actor, assignee, now=now)
        if "status" in sent and data.status != ticket.status:
            _set_status(ticket, actor, data.status, now=now)
        ticket.updated_at = now
    return ticket


def _check_transition(ticket: Ticket, new_status: str) -> None:
    if new_status not in TRANSITIONS[ticket.status]:
        raise Conflict(
            f"A {ticket.status} ticket cannot become {new_status}.",
            {"status": f"not allowed from {ticket.status}"},
        )
    if new_status == "escalated" and ticket.mentor_id is None:
        raise Conflict(
            "Escalate the ticket to a mentor instead of setting the status.",
            {"status": "use the escalate action"},
        )


def _set_status(
    ticket: Ticket, actor: User | None, new_status: str, *, now: datetime | None = None
) -> None:
    now = now or utcnow()
    record_event(ticket, actor, "status", ticket.status, new_status, at=now)
    if SOLVED_STATUSES & {ticket.status, new_status}:
        # Solved tickets' answers are searchable; a reopened one leaves the index.
        jobs.enqueue("kb.index_ticket", ticket.id)
    if new_status == "resolved":
        ticket.resolved_at = now
    elif ticket.status == "resolved" and new_status == "open":
        ticket.resolved_at = None
    ticket.status = new_status


def _set_assignee(
    ticket: Ticket, actor: User, assignee: User | None, *, now: datetime | None = None
) -> None:
    old = ticket.assignee.email if ticket.assignee else None
    record_event(ticket, actor, "assignee", old, assignee.email if assignee else None, at=now)
    ticket.assignee = assignee
    if assignee is not None and ticket.status == "new":
        _set_status(ticket, actor, "open", now=now)
