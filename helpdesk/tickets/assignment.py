"""Who holds a ticket: claiming by hand, and the one conditional UPDATE every assignment of
an unassigned ticket goes through (auto-assignment in ``console.assignment`` uses it too).

Claiming: an agent, manager or admin takes an unassigned ticket. The assignment is one
conditional UPDATE (``... WHERE assignee_id IS NULL``), so of two people claiming at once
exactly one wins; the other is told who did.
"""

from datetime import datetime

import sqlalchemy as sa

from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES, User
from helpdesk.errors import Conflict
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import _set_assignee
from helpdesk.tickets.unit_of_work import unit_of_work
from helpdesk.timeutil import utcnow


def take_if_unassigned(ticket: Ticket, user: User) -> bool:
    """Set ``user`` as the assignee only if the ticket has none, in one UPDATE; True when it
    did. Two transactions racing: the second waits for the first's row lock (PostgreSQL) or
    write lock (SQLite), then finds the assignee set and updates nothing."""
    result = db.session.execute(
        sa.update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.assignee_id.is_(None))
        .values(assignee_id=user.id),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


def record_assignment(ticket: Ticket, actor: User | None, assignee: User, now: datetime) -> None:
    """After ``take_if_unassigned`` succeeded: the audit event and the new→open step."""
    # take_if_unassigned wrote the column behind the ORM's back (which still sees no
    # assignee): the audit event and the new→open step then come from the one place
    # assignments are made.
    _set_assignee(ticket, actor, assignee, now=now)
    ticket.updated_at = now


def claim(ticket: Ticket, actor: User, *, now: datetime | None = None) -> Ticket:
    """Make ``actor`` the ticket's assignee if nobody is. Claiming a ticket one already holds
    changes nothing; a ticket someone else holds, or one no longer open, is a Conflict."""
    access.require_role(actor, *STAFF_ROLES)
    if ticket.assignee_id == actor.id:
        return ticket
    if not ticket.is_open:
        raise Conflict(
            N_("A %(status)s ticket cannot be claimed."),
            {"status": ticket.status},
            params={"status": ticket.status},
        )
    now = now or utcnow()
    try:
        with unit_of_work():
            if not take_if_unassigned(ticket, actor):
                raise _AlreadyClaimed
            record_assignment(ticket, actor, actor, now)
    except _AlreadyClaimed:
        db.session.refresh(ticket)
        if ticket.assignee_id == actor.id:  # the same person claimed twice at once
            return ticket
        owner = ticket.assignee.name if ticket.assignee else "someone else"
        raise Conflict(
            N_("Already claimed by %(owner)s."),
            {"assignee": f"claimed by {owner}"},
            params={"owner": owner},
        ) from None
    return ticket


class _AlreadyClaimed(Exception):
    pass
