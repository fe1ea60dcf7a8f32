"""Choosing a person for a ticket among those who fit: least loaded first, equals in turn.

Used by escalation (a mentor) and auto-assignment (an online agent); each decides who fits.
"""

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from helpdesk.agents.models import User
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket, TicketEvent


def least_loaded_in_turn(
    candidates: Sequence[User],
    *,
    holder: sa.ColumnElement,
    load_statuses: Iterable[str],
    event_kind: str,
) -> User | None:
    """The candidate holding the fewest tickets (``holder`` = ``Ticket.assignee_id`` or
    ``Ticket.mentor_id``) in ``load_statuses``; among equals, the one whose latest
    ``event_kind`` audit event (which names people by e-mail) is oldest, so they take turns;
    then the lowest id. None when there is no candidate."""
    if not candidates:
        return None
    # Correlated subqueries: one index seek per candidate (ix_tickets_assignee_status,
    # ix_ticket_events_kind_new_value), not a scan of every assignment ever made.
    load = (
        sa.select(sa.func.count())
        .select_from(Ticket)
        .where(holder == User.id, Ticket.status.in_(list(load_statuses)))
        .scalar_subquery()
    )
    last = (
        sa.select(sa.func.max(TicketEvent.id))
        .where(TicketEvent.kind == event_kind, TicketEvent.new_value == User.email)
        .scalar_subquery()
    )
    rank = {
        user_id: (open_load, last_id or 0)
        for user_id, open_load, last_id in db.session.execute(
            sa.select(User.id, load, last).where(User.id.in_([c.id for c in candidates]))
        )
    }
    return min(candidates, key=lambda c: (*rank[c.id], c.id))
