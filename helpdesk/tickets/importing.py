"""Import historical tickets with their original timestamps, all or nothing per batch.

Each ticket's history is replayed through the ticket services (``create_ticket``,
``add_message``, ``update_ticket``, each with ``now=`` the original moment), so imported
tickets get their SLA figures by the same rules as live ones. The whole batch is checked
first (unknown users, blocks and categories, naive or out-of-order timestamps, status
changes the lifecycle forbids) and refused with every problem named by its place, e.g.
``tickets[3].events[1].by``; then it is written in ONE unit of work, so a failure half-way
leaves nothing behind.

Imported tickets get no automatic acknowledgement, notify nobody, send no live events and
escalate nothing: their warnings and breaches are recorded as history. A ticket still open
is judged as of now; its future SLA moments are timed like a live ticket's.

Who wrote a reply (``by``): an agent, manager, admin or mentor's e-mail makes it a staff
reply; omitted, or a BRC user of the ticket's block (usually its creator), makes it the
requester's.
"""

from datetime import UTC, date, datetime, time
from typing import Annotated, Literal

import sqlalchemy as sa
from flask import current_app
from pydantic import AwareDatetime, BeforeValidator, Field

from helpdesk.agents import access
from helpdesk.agents.models import User
from helpdesk.errors import DomainError, ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.tickets import services
from helpdesk.tickets.models import Category, Ticket
from helpdesk.tickets.schemas import Body, MessageCreate, Status, Strict, TicketCreate, TicketUpdate
from helpdesk.tickets.unit_of_work import refresh_sla_as_of
from helpdesk.timeutil import utcnow
from helpdesk.validation import strip_invisible, text

MAX_BATCH = 500
MAX_EVENTS = 200
#: ISO 8601 with an offset ("2026-11-21T16:00:00+05:30"); a time without one is refused
Moment = Annotated[AwareDatetime, Field(strict=False)]
Email = text(3, 254)


def _blank_is_none(value):
    return None if isinstance(value, str) and not strip_invisible(value) else value


#: a blank body is no body: fine on a status event, "required" on a reply or a note
EventBody = Annotated[Body | None, BeforeValidator(_blank_is_none)]


class ImportEvent(Strict):
    """One step of a ticket's history, in time order."""

    at: Moment
    #: reply: a public message; note: an internal note (staff or mentor); status: a status change
    type: Literal["reply", "note", "status"]
    #: who: a user's e-mail. A reply without ``by``, or by BRC staff of the ticket's block,
    #: is the requester's; a staff or mentor e-mail makes it a call-centre reply.
    by: Email | None = None
    #: the text of a reply or note; a status event's is empty or left out
    body: EventBody = None
    #: the new status of a status event
    status: Status | None = None


class ImportTicket(TicketCreate):
    """The fields of ``POST /api/v1/tickets`` plus when and by whom it was created."""

    created_at: Moment
    #: e-mail of the user who logged it (a BRC user's ticket belongs to their block)
    created_by: Email
    events: list[ImportEvent] = Field(default_factory=list, max_length=MAX_EVENTS)


class ImportBatch(Strict):
    tickets: list[ImportTicket] = Field(min_length=1)


class BatchTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


def check_batch(batch: ImportBatch) -> dict[str, str]:
    """Every problem of the batch, keyed by place (``tickets[3].events[1].by``); empty when
    the whole batch can be imported."""
    emails = {t.created_by.lower() for t in batch.tickets} | {
        e.by.lower() for t in batch.tickets for e in t.events if e.by
    }
    users = (
        {
            u.email.lower(): u
            for u in db.session.scalars(
                sa.select(User).where(sa.func.lower(User.email).in_(emails))
            )
        }
        if emails
        else {}
    )
    blocks = {
        b.code: b
        for b in db.session.scalars(
            sa.select(Block).where(Block.code.in_({t.block for t in batch.tickets if t.block}))
        )
    }
    categories = set(
        db.session.scalars(
            sa.select(Category.slug).where(Category.slug.in_({t.category for t in batch.tickets}))
        )
    )
    now, earliest = utcnow(), earliest_import()
    errors: dict[str, str] = {}
    for i, item in enumerate(batch.tickets):
        where = f"tickets[{i}]"
        creator = users.get(item.created_by.lower())
        if creator is None:
            errors[f"{where}.created_by"] = "no such user"
        block = (
            creator.block
            if creator is not None and creator.role == "brc"
            else blocks.get(item.block)
        )
        if block is None and (creator is None or creator.role != "brc"):
            errors[f"{where}.block"] = "required" if item.block is None else "unknown block"
        elif creator is not None and not access.may_open_ticket_in(creator, block):
            errors[f"{where}.block"] = "outside the states of its mentor creator"
        if item.category not in categories:
            errors[f"{where}.category"] = "unknown category"
        if item.created_at > now:
            errors[f"{where}.created_at"] = "in the future"
        elif item.created_at < earliest:
            errors[f"{where}.created_at"] = f"before {earliest.date().isoformat()}"
        errors |= _check_history(item, where, users, block, earliest)
    return errors


def earliest_import() -> datetime:
    """The first moment an imported ticket may be from (``IMPORT_EARLIEST``, a day, UTC):
    older history is refused rather than replayed through decades of business days."""
    day = current_app.config.get("IMPORT_EARLIEST") or "2000-01-01"
    return datetime.combine(date.fromisoformat(str(day)), time(0), UTC)


def _check_history(
    item: ImportTicket, where: str, users: dict[str, User], block: Block | None, earliest
) -> dict[str, str]:
    """Replay the lifecycle on paper: the same status rules the services apply."""
    errors: dict[str, str] = {}
    status, previous, now = "new", item.created_at, utcnow()
    for j, event in enumerate(item.events):
        at = f"{where}.events[{j}]"
        if event.at < previous:
            errors[f"{at}.at"] = (
                "before created_at" if j == 0 else "earlier than the event before it"
            )
        elif event.at > now:
            errors[f"{at}.at"] = "in the future"
        elif event.at < earliest:
            errors[f"{at}.at"] = f"before {earliest.date().isoformat()}"
        previous = max(previous, event.at)
        author = users.get(event.by.lower()) if event.by else None
        if event.by and author is None:
            errors[f"{at}.by"] = "no such user"
            continue
        if event.type == "status":
            if event.body is not None:
                errors[f"{at}.body"] = "only replies and notes have a body"
            if event.status is None:
                errors[f"{at}.status"] = "required for a status event"
            elif author is None:
                errors[f"{at}.by"] = "required for a status event"
            elif "status" not in access.EDITABLE_FIELDS.get(author.role, set()):
                errors[f"{at}.by"] = f"a {author.role} may not change the status"
            elif event.status != status:
                if event.status == "escalated":
                    errors[f"{at}.status"] = "escalation is not imported; use open"
                elif event.status not in services.TRANSITIONS[status]:
                    errors[f"{at}.status"] = f"not allowed from {status}"
                else:
                    status = event.status
            continue
        if event.status is not None:
            errors[f"{at}.status"] = "only status events have a status"
        if event.body is None:
            errors[f"{at}.body"] = "required"
        if status == "closed":
            errors[f"{at}.type"] = "the ticket was closed before this"
            continue
        requester_side = author is None or author.role == "brc"
        if (
            author is not None
            and author.role == "brc"
            and block is not None
            and author.block_id != block.id
        ):
            errors[f"{at}.by"] = "BRC staff of another block"
        if event.type == "note":
            if requester_side:
                errors[f"{at}.by"] = "internal notes are written by staff or mentors"
        elif requester_side and status in ("pending", "resolved"):
            status = "open"
        elif not requester_side and status == "new":
            status = "open"
    return errors


def import_batch(batch: ImportBatch) -> list[Ticket]:
    """Import every ticket of ``batch`` or none: ValidationFailed names each bad place,
    BatchTooLarge refuses more than MAX_BATCH tickets. Returns the tickets in batch order."""
    if len(batch.tickets) > MAX_BATCH:
        raise BatchTooLarge(
            f"At most {MAX_BATCH} tickets per batch; split the file.",
            {"tickets": f"{len(batch.tickets)} tickets; at most {MAX_BATCH}"},
        )
    errors = check_batch(batch)
    if errors:
        raise ValidationFailed("The batch was not imported: some tickets are invalid.", errors)
    users = {
        u.email.lower(): u
        for u in db.session.scalars(
            sa.select(User).where(
                sa.func.lower(User.email).in_(
                    {t.created_by.lower() for t in batch.tickets}
                    | {e.by.lower() for t in batch.tickets for e in t.events if e.by}
                )
            )
        )
    }
    imported: list[Ticket] = []
    now = utcnow()
    with services.unit_of_work(historical=True):
        for i, item in enumerate(batch.tickets):
            try:
                ticket = _replay(item, users)
            except DomainError as exc:
                # The check above should have caught it; still, name the ticket and undo all.
                fields = {f"tickets[{i}].{k}": v for k, v in exc.fields.items()}
                raise ValidationFailed(
                    f"tickets[{i}]: {exc.message}", fields or {f"tickets[{i}]": exc.message}
                ) from exc
            if ticket.is_open:
                refresh_sla_as_of(ticket, now)
            imported.append(ticket)
    return imported


def _replay(item: ImportTicket, users: dict[str, User]) -> Ticket:
    creator = users[item.created_by.lower()]
    # An ImportTicket is a TicketCreate: the same fields, validated the same way.
    ticket = services.create_ticket(item, creator, now=item.created_at, live=False)
    for event in item.events:
        author = users[event.by.lower()] if event.by else None
        when: datetime = event.at
        if event.type == "status":
            services.update_ticket(ticket, author, TicketUpdate(status=event.status), now=when)
        else:
            services.add_message(
                ticket,
                author,
                MessageCreate(body=event.body, internal=event.type == "note"),
                channel=ticket.channel,
                contact=ticket.requester if author is None else None,
                now=when,
            )
    return ticket
