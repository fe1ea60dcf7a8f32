"""Merging duplicates: one caller, one question, two tickets. The duplicate (the source)
is closed and points to the ticket it was merged into (the target); its conversation
moves there, so the target's thread holds both in time order.

The rules live here, whatever asks (the API, the ticket page): agents, managers and
admins merge; both tickets in one block; never into itself, into a closed ticket or a
ticket merged away; a merged ticket stays merged. One transaction: the messages, the
rows other features keep about the source (calls, texts, attachments: ``tickets-merged``),
the audit events on both tickets and the source's closing commit together or not at all.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from helpdesk import signals
from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES, User
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.tickets.models import OPEN_STATUSES, Message, Ticket
from helpdesk.tickets.services import _set_status, record_event
from helpdesk.tickets.unit_of_work import unit_of_work
from helpdesk.timeutil import utcnow

#: how far back the ticket page looks for the same requester's other open tickets
DUPLICATE_WINDOW = timedelta(days=7)


def merge_ticket(
    source: Ticket, target_id: int, actor: User, *, now: datetime | None = None
) -> Ticket:
    """Merge ``source`` into the ticket ``target_id``; returns the target. 403 for other
    roles; 422 when the target does not exist, is the source itself or is in another
    block; 409 when the source was merged already or is closed, or the target is closed."""
    access.require_role(actor, *STAFF_ROLES)
    target = db.session.get(Ticket, target_id)
    if target is None or not access.can_view(actor, target):
        raise ValidationFailed(N_("No such ticket to merge into."), {"into": N_("no such ticket")})
    if target.id == source.id:
        raise ValidationFailed(
            N_("A ticket cannot be merged into itself."), {"into": N_("the same ticket")}
        )
    if source.merged_into is not None:
        raise Conflict(
            N_("This ticket was merged into %(number)s already."),
            {"ticket": N_("merged already")},
            params={"number": source.merged_into.number},
        )
    if source.status == "closed":
        raise Conflict(N_("A closed ticket cannot be merged."), {"ticket": N_("closed")})
    if target.status == "closed":
        raise Conflict(
            N_("%(number)s is closed; merge into an open ticket."),
            {"into": N_("closed")},
            params={"number": target.number},
        )
    if source.block_id != target.block_id:
        raise ValidationFailed(
            N_("Only tickets of the same block can be merged."), {"into": N_("in another block")}
        )

    now = now or utcnow()
    with unit_of_work():
        moved = list(source.messages)
        # The duplicate's own question opens its part of the target's thread.
        db.session.add(_opening_note(source, target))
        for message in moved:
            message.ticket = target
        db.session.flush()
        signals.tickets_merged.send(
            source, target=target, actor=actor, moved_message_ids=[m.id for m in moved], at=now
        )
        record_event(target, actor, "merged_from", None, source.number, at=now)
        record_event(source, actor, "merged_into", None, target.number, at=now)
        source.merged_into = target
        _set_status(source, actor, "closed", now=now)
        source.updated_at = target.updated_at = now
    return target


def _opening_note(source: Ticket, target: Ticket) -> Message:
    """An internal note dated when the duplicate was opened, carrying what it asked: not a
    reply anyone owes, so it counts for no SLA clock and is texted to nobody."""
    return Message(
        ticket=target,
        author=None,
        body=f"Merged from {source.number}: {source.subject}\n\n{source.description}",
        internal=True,
        channel=source.channel,
        automatic=True,
        created_at=source.created_at,
    )


def likely_duplicates(ticket: Ticket, viewer: User, *, now: datetime | None = None) -> list[Ticket]:
    """The same requester's other open tickets of the last seven days, newest first: what
    the ticket page offers to merge. Nothing for a merged or closed ticket."""
    if ticket.requester_id is None or not ticket.is_open or ticket.merged_into_id:
        return []
    if viewer.role not in STAFF_ROLES:
        return []
    since = (now or utcnow()) - DUPLICATE_WINDOW
    return list(
        db.session.scalars(
            sa.select(Ticket)
            .where(
                Ticket.requester_id == ticket.requester_id,
                Ticket.id != ticket.id,
                Ticket.status.in_(OPEN_STATUSES),
                Ticket.created_at >= since,
            )
            .order_by(Ticket.id.desc())
            .limit(5)
        )
    )


def merged_here(ticket: Ticket) -> list[Ticket]:
    """The duplicates merged into ``ticket``."""
    return list(
        db.session.scalars(
            sa.select(Ticket).where(Ticket.merged_into_id == ticket.id).order_by(Ticket.id)
        )
    )
