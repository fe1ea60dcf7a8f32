"""The ticket lifecycle: every entry point (web, API, SMS, import) changes tickets here.

Each public function validates everything before it writes, writes the change and its
audit events in one transaction, and commits; on any error nothing is written.

Each change sends its domain signal (``helpdesk.signals``) right after the write, inside the
unit of work (``unit_of_work.py``): the console, the SLA engine, SMS and the knowledge base
react there without this module knowing them. Every ticket that got an audit event is
handed to the SLA engine before the commit, as of the moment of its latest event.
Functions take an optional ``now`` (default: the current time) so imports and tests can
replay a history.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from helpdesk import jobs, reference_cache, signals
from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES, User
from helpdesk.contacts.models import Contact
from helpdesk.contacts.services import find_or_create_contact, place_contact
from helpdesk.enterprises.models import Enterprise
from helpdesk.enterprises.services import enterprise_by_code
from helpdesk.errors import Conflict, Forbidden, ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District, State
from helpdesk.i18n import N_
from helpdesk.tickets.models import Category, Message, Ticket, TicketEvent
from helpdesk.tickets.schemas import MessageCreate, TicketCreate, TicketUpdate
from helpdesk.tickets.unit_of_work import is_nested, touch, unit_of_work
from helpdesk.timeutil import utcnow

reference_cache.watch(Block, District, State, Category)

#: allowed status changes; ``closed`` is final, a resolved ticket can be reopened
TRANSITIONS: dict[str, set[str]] = {
    "new": {"open", "pending", "escalated", "resolved", "closed"},
    "open": {"pending", "escalated", "resolved", "closed"},
    "pending": {"open", "escalated", "resolved", "closed"},
    "escalated": {"open", "pending", "resolved", "closed"},
    "resolved": {"open", "closed"},
    "closed": set(),
}


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
    touch(ticket, at)
    signals.ticket_changed.send(ticket, kind=kind, actor=actor, old=old, new=new, at=at)


def category_by_slug(slug: str) -> Category | None:
    """The category (in this session), read from the process's reference cache."""
    return reference_cache.attach(reference_cache.cached("category", slug, lambda: _category(slug)))


def _category(slug: str) -> Category | None:
    row = db.session.scalar(sa.select(Category).where(Category.slug == slug))
    return None if row is None else reference_cache.detached_copy(row)


def block_by_code(code: str) -> Block | None:
    """The block with its district and state (in this session), read from the process's
    reference cache: the ticket's answer shows all three."""
    return reference_cache.attach(reference_cache.cached("block", code, lambda: _block(code)))


def _block(code: str) -> Block | None:
    row = db.session.scalar(
        sa.select(Block)
        .where(Block.code == code)
        .options(joinedload(Block.district).joinedload(District.state))
    )
    if row is None:
        return None
    state = reference_cache.detached_copy(row.district.state)
    district = reference_cache.detached_copy(row.district, state=state)
    return reference_cache.detached_copy(row, district=district)


def create_ticket(
    data: TicketCreate,
    actor: User | None,
    *,
    now: datetime | None = None,
    live: bool = True,
    from_gateway: bool = False,
) -> Ticket:
    """Open a ticket. A BRC user's ticket belongs to their block whatever ``data`` says.
    ``live=False`` (imported history) sends the requester no acknowledgement and leaves the
    ticket to auto-assignment neither. ``from_gateway=True`` (SMS intake): the requester's
    number is the sender's own, and without a block the ticket waits in triage."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    if actor is not None and actor.role == "brc":
        block = actor.block
    elif data.block is None:
        block = None
        if not from_gateway:
            errors["block"] = N_("required")
    else:
        block = block_by_code(data.block)
        if block is None:
            errors["block"] = N_("unknown block")
    category = category_by_slug(data.category)
    if category is None:
        errors["category"] = N_("unknown category")
    elif category.retired and live:
        errors["category"] = N_("retired: no longer used for new tickets")
    enterprise = None
    if data.enterprise is not None and "block" not in errors:
        enterprise, problem = _enterprise_in(data.enterprise, block)
        if problem:
            errors["enterprise"] = problem
    if errors:
        raise ValidationFailed(N_("The ticket has invalid fields."), errors)
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
            requester=_requester_for(data, actor, block, from_gateway),
            enterprise=enterprise,
            created_by=actor,
            status="new",
            created_at=now,
            updated_at=now,
            sla_breached=[],
            # A new ticket has no history: empty collections need no SELECT when the SLA
            # engine reads them before the commit (its "created" event is appended to them).
            messages=[],
            events=[],
        )
        db.session.add(ticket)
        if is_nested():
            db.session.flush()  # the caller's unit of work goes on and may need the id
        # Otherwise no flush here: the ticket and its event are written by the commit's one
        # flush, with the SLA dues the engine sets before it (no UPDATE after the INSERT).
        record_event(ticket, actor, "created", None, ticket.status, at=now)
        if live:
            jobs.enqueue("tickets.acknowledge", ticket)
        # The console may queue auto-assignment (the SLA engine picks the policy before commit).
        signals.ticket_created.send(ticket, actor=actor, live=live)
    return ticket


def _enterprise_in(code: str, block: Block | None) -> tuple[Enterprise | None, str | None]:
    """The enterprise ``code`` names if it is in ``block``, else why not. An enterprise of
    another block reads as unknown: BRC staff learn nothing of other blocks."""
    enterprise = enterprise_by_code(code)
    if enterprise is None or block is None:
        return None, N_("unknown enterprise") if enterprise is None else N_(
            "the ticket has no block"
        )
    if enterprise.block_id != block.id:
        return None, N_("not an enterprise of the ticket's block")
    return enterprise, None


def _requester_for(
    data: TicketCreate, actor: User | None, block: Block | None, from_gateway: bool
) -> Contact | None:
    """The contact of the ticket's block: BRC staff name themselves or a caller of their
    own block, never another block's; a number they type is not confirmed as the caller's."""
    confirmed = from_gateway or actor is None or actor.role != "brc"
    if data.requester is not None:
        return find_or_create_contact(
            data.requester.name, data.requester.phone, block, data.language, confirmed=confirmed
        )
    if actor is not None and actor.role == "brc":
        return find_or_create_contact(
            actor.name, actor.phone, block, data.language, confirmed=confirmed
        )
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
    ticket; the first public reply by an agent or mentor is the ticket's first response.
    ``data.status`` (send and resolve) then sets the status in the same transaction: both
    happen or neither."""
    if data.internal and (author is None or not access.may_write_internal_notes(author)):
        raise Forbidden(N_("Only call-centre staff and mentors write internal notes."))
    if ticket.merged_into is not None:
        number = ticket.merged_into.number
        raise Conflict(
            N_("This ticket was merged into %(number)s; reply there."),
            {"ticket": N_("merged into another ticket")},
            params={"number": number},
        )
    if ticket.status == "closed":
        raise Conflict(N_("This ticket is closed; raise a new ticket instead."))
    if data.status is not None:
        if author is None:
            raise Forbidden(N_("Only a signed-in person may change the status."))
        access.require_editable(author, {"status"})
        _check_transition(ticket, data.status, current=_status_after_reply(ticket, data, author))
    now = now or utcnow()
    with unit_of_work():
        body = data.body if data.response is None else _canned_body(ticket, author, data.response)
        message = Message(
            ticket=ticket,
            author=author,
            contact=contact if author is None else None,
            body=body,
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
        # An SMS ticket's staff reply goes out as a text; a mentor's answer is announced.
        signals.message_added.send(
            ticket,
            message=message,
            author=author,
            internal=data.internal,
            automatic=automatic,
            staff_reply=not data.internal and not automatic and not message.from_requester_side,
        )
        if data.status is not None and data.status != ticket.status:
            _set_status(ticket, author, data.status, now=now)
        ticket.updated_at = now
    return message


def _status_after_reply(ticket: Ticket, data: MessageCreate, author: User) -> str:
    """The status ``add_message`` leaves before applying ``data.status``."""
    if data.internal:
        return ticket.status
    if author.role == "brc":
        return "open" if ticket.status in ("pending", "resolved") else ticket.status
    return "open" if ticket.status == "new" else ticket.status


def _canned_body(ticket: Ticket, author: User | None, response_id: int) -> str:
    """The canned response's text filled in for ``ticket`` by whoever keeps responses
    (``response-requested``); 422 when the author has no such response."""
    for _receiver, body in signals.response_requested.send(
        ticket, response_id=response_id, author=author
    ):
        if body:
            return body
    raise ValidationFailed("No such canned response.", {"response": "no such response"})


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


def update_ticket(
    ticket: Ticket, actor: User, data: TicketUpdate, *, now: datetime | None = None
) -> Ticket:
    """Change status, priority, category, assignee, language, block or enterprise, each
    change audited. A new priority, category or block selects the SLA policy again; a new
    block drops an enterprise of the old one."""
    now = now or utcnow()
    sent = set(data.model_fields_set)
    access.require_editable(actor, sent)
    errors: dict[str, str] = {}
    category = assignee = block = None
    if "block" in sent:
        block = block_by_code(data.block) if data.block else None
        if block is None:
            errors["block"] = N_("unknown block") if data.block else "may not be null"
    if "category" in sent:
        category = category_by_slug(data.category) if data.category else None
        if category is None:
            errors["category"] = N_("unknown category")
        elif category.retired and category.id != ticket.category_id:
            errors["category"] = N_("retired: no longer used")
    if "assignee" in sent and data.assignee is not None:
        assignee = db.session.get(User, data.assignee)
        if assignee is None or not assignee.active or assignee.role not in STAFF_ROLES:
            errors["assignee"] = N_("not an active agent, manager or admin")
    for field in ("status", "priority", "language"):
        if field in sent and getattr(data, field) is None:
            errors[field] = N_("may not be null")
    enterprise = ticket.enterprise
    if "enterprise" in sent and "block" not in errors:
        enterprise, problem = None, None
        if data.enterprise is not None:
            enterprise, problem = _enterprise_in(data.enterprise, block or ticket.block)
        if problem:
            errors["enterprise"] = problem
    elif block is not None and enterprise is not None and enterprise.block_id != block.id:
        enterprise = None  # a ticket moved to another block is no longer about this one
    if errors:
        raise ValidationFailed(N_("The change has invalid fields."), errors)
    if "status" in sent and data.status != ticket.status:
        _check_transition(ticket, data.status)

    with unit_of_work():
        # A new priority or category makes the SLA engine select the policy again.
        if "priority" in sent and data.priority != ticket.priority:
            record_event(ticket, actor, "priority", ticket.priority, data.priority, at=now)
            ticket.priority = data.priority
        if "language" in sent and data.language != ticket.language:
            record_event(ticket, actor, "language", ticket.language, data.language, at=now)
            ticket.language = data.language
        if category is not None and category.id != ticket.category_id:
            record_event(ticket, actor, "category", ticket.category.slug, category.slug, at=now)
            ticket.category = category
        if block is not None and block.id != ticket.block_id:
            _move_to_block(ticket, actor, block, now=now)
        if enterprise is not ticket.enterprise:
            old = ticket.enterprise.code if ticket.enterprise else None
            new = enterprise.code if enterprise else None
            record_event(ticket, actor, "enterprise", old, new, at=now)
            ticket.enterprise = enterprise
        if "assignee" in sent and data.assignee != ticket.assignee_id:
            _set_assignee(ticket, actor, assignee, now=now)
        if "status" in sent and data.status != ticket.status:
            _set_status(ticket, actor, data.status, now=now)
        ticket.updated_at = now
    return ticket


def _move_to_block(ticket: Ticket, actor: User, block: Block, *, now: datetime) -> None:
    """Triage (or correct) a ticket's block; its requester becomes that block's contact."""
    old = ticket.block.code if ticket.block else None
    record_event(ticket, actor, "block", old, block.code, at=now)
    ticket.block = block
    requester = ticket.requester
    if requester is not None:
        placed = place_contact(requester, block)
        if placed is not requester:
            # The texts the caller sent on this ticket are the new contact's too.
            for message in ticket.messages:
                if message.contact_id == requester.id:
                    message.contact = placed
            ticket.requester = placed


def _check_transition(ticket: Ticket, new_status: str, *, current: str | None = None) -> None:
    current = current or ticket.status
    if new_status == current:
        return
    if new_status not in TRANSITIONS[current]:
        raise Conflict(
            N_("A %(status)s ticket cannot become %(new_status)s."),
            {"status": f"not allowed from {current}"},
            params={"status": current, "new_status": new_status},
        )
    if new_status == "escalated" and ticket.mentor_id is None:
        raise Conflict(
            N_("Escalate the ticket to a mentor instead of setting the status."),
            {"status": N_("use the escalate action")},
        )


def _set_status(
    ticket: Ticket, actor: User | None, new_status: str, *, now: datetime | None = None
) -> None:
    now = now or utcnow()
    record_event(ticket, actor, "status", ticket.status, new_status, at=now)
    signals.status_changed.send(ticket, actor=actor, old=ticket.status, new=new_status)
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
