"""What the live console shows first: the open queue, newest activity first, and its
counters per status and per priority. The browser then keeps them up to date from the
``ticket.created`` / ``ticket.updated`` events."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from helpdesk.agents.models import User
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District
from helpdesk.tickets.models import OPEN_STATUSES, PRIORITIES, Ticket
from helpdesk.tickets.queries import TicketFilters, filtered_tickets, triage_count

#: rows the console draws at first; older open tickets stay in the paged queue
BOARD_SIZE = 100


def open_queue(viewer: User, limit: int = BOARD_SIZE) -> list[Ticket]:
    """The open tickets ``viewer`` may see, the most recently changed first."""
    query = filtered_tickets(viewer, TicketFilters(status="open"))
    return list(
        db.session.scalars(
            query.options(
                joinedload(Ticket.block).joinedload(Block.district).joinedload(District.state),
                joinedload(Ticket.category),
                joinedload(Ticket.requester),
                selectinload(Ticket.assignee),
            )
            .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
            .limit(limit)
        )
    )


def counters(viewer: User) -> dict:
    """Open tickets ``viewer`` may see, per status and per priority (every key present),
    and how many of them await triage (no block yet; staff only see those)."""
    query = filtered_tickets(viewer, TicketFilters(status="open")).subquery()
    rows = db.session.execute(
        sa.select(query.c.status, query.c.priority, sa.func.count()).group_by(
            query.c.status, query.c.priority
        )
    ).all()
    status = dict.fromkeys(OPEN_STATUSES, 0)
    priority = dict.fromkeys(PRIORITIES, 0)
    for ticket_status, ticket_priority, n in rows:
        status[ticket_status] = status.get(ticket_status, 0) + n
        priority[ticket_priority] = priority.get(ticket_priority, 0) + n
    return {
        "status": status,
        "priority": priority,
        "total": sum(status.values()),
        "triage": triage_count(viewer),
    }
