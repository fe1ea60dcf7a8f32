"""Who works a ticket: auto-assignment to an online agent, and claiming by hand.

Auto-assignment (when an admin switched it on, see ``console.settings``): a job picks an
active agent who is online (``presence.online_user_ids``) and speaks the ticket's language,
the one with the fewest open tickets first, then the one assigned a ticket longest ago, so
equals take turns (``tickets.routing``, as escalation picks a mentor). Nobody fitting leaves
the ticket unassigned in the queue.

Claiming: an agent, manager or admin takes an unassigned ticket. The assignment is one
conditional UPDATE (``... WHERE assignee_id IS NULL``), so of two people claiming at once
exactly one wins; the other is told who did.
"""

from datetime import datetime

import sqlalchemy as sa

from helpdesk import jobs
from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES, User
from helpdesk.console import presence
from helpdesk.console.notifications import notify
from helpdesk.console.settings import auto_assign_enabled
from helpdesk.errors import Conflict
from helpdesk.extensions import db
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from helpdesk.tickets.routing import least_loaded_in_turn
from helpdesk.tickets.services import _set_assignee, unit_of_work
from helpdesk.timeutil import utcnow


def pick_agent(ticket: Ticket) -> User | None:
    """The online agent who should get ``ticket``, or None when no online agent speaks its
    language."""
    online = presence.online_user_ids()
    if not online:
        return None
    agents = db.session.scalars(
        sa.select(User)
        .where(User.role == "agent", User.active.is_(True), User.id.in_(online))
        .order_by(User.id)
    ).all()
    fitting = [a for a in agents if ticket.language in (a.languages or [])]
    return least_loaded_in_turn(
        fitting, holder=Ticket.assignee_id, load_statuses=OPEN_STATUSES, event_kind="assignee"
    )


def _take(ticket: Ticket, user: User) -> bool:
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


@jobs.task("console.auto_assign")
def auto_assign(ticket_id: int) -> None:
    """Assign a new ticket to the fitting online agent and notify them. Does nothing if the
    ticket is gone, already has an assignee, is no longer open or nobody fits."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.assignee_id is not None or not ticket.is_open:
        return
    if not auto_assign_enabled():  # switched off since the ticket was created
        return
    agent = pick_agent(ticket)
    if agent is None:
        return
    with unit_of_work():
        if not _take(ticket, agent):
            return  # claimed by hand meanwhile; the unit of work commits nothing
        _assign(ticket, None, agent, utcnow())
        notify(
            [agent.id],
            "assigned",
            f"{ticket.number} was assigned to you: {ticket.subject}",
            ticket=ticket,
        )


def _assign(ticket: Ticket, actor: User | None, assignee: User, now: datetime) -> None:
    # _take wrote the column behind the ORM's back (which still sees no assignee): the audit
    # event and the new→open step then come from the one place assignments are made.
    _set_assignee(ticket, actor, assignee, now=now)
    ticket.updated_at = now


def claim(ticket: Ticket, actor: User, *, now: datetime | None = None) -> Ticket:
    """Make ``actor`` the ticket's assignee if nobody is. Claiming a ticket one already holds
    changes nothing; a ticket someone else holds, or one no longer open, is a Conflict."""
    access.require_role(actor, *STAFF_ROLES)
    if ticket.assignee_id == actor.id:
        return ticket
    if not ticket.is_open:
        raise Conflict(f"A {ticket.status} ticket cannot be claimed.", {"status": ticket.status})
    now = now or utcnow()
    try:
        with unit_of_work():
            if not _take(ticket, actor):
                raise _AlreadyClaimed
            _assign(ticket, actor, actor, now)
    except _AlreadyClaimed:
        db.session.refresh(ticket)
        if ticket.assignee_id == actor.id:  # the same person claimed twice at once
            return ticket
        owner = ticket.assignee.name if ticket.assignee else "someone else"
        raise Conflict(
            f"Already claimed by {owner}.", {"assignee": f"claimed by {owner}"}
        ) from None
    return ticket


class _AlreadyClaimed(Exception):
    pass
