"""Auto-assignment of new tickets to an online agent (claiming by hand is
``tickets.assignment.claim``).

Auto-assignment (when an admin switched it on, see ``console.settings``): a job picks an
active agent who is online (``presence.online_user_ids``) and speaks the ticket's language,
the one with the fewest open tickets first, then the one assigned a ticket longest ago, so
equals take turns (``tickets.routing``, as escalation picks a mentor). Nobody fitting leaves
the ticket unassigned in the queue.
"""

import sqlalchemy as sa

from helpdesk import jobs
from helpdesk.agents.models import User
from helpdesk.console import presence
from helpdesk.console.notifications import notify
from helpdesk.console.settings import auto_assign_enabled
from helpdesk.extensions import db
from helpdesk.tickets.assignment import record_assignment, take_if_unassigned
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from helpdesk.tickets.routing import least_loaded_in_turn
from helpdesk.tickets.unit_of_work import unit_of_work
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
        if not take_if_unassigned(ticket, agent):
            return  # claimed by hand meanwhile; the unit of work commits nothing
        record_assignment(ticket, None, agent, utcnow())
        notify(
            [agent.id],
            "assigned",
            f"{ticket.number} was assigned to you: {ticket.subject}",
            ticket=ticket,
        )
