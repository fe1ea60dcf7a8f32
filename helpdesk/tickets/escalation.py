"""Escalation to a mentor-expert: the one who knows the subject, the language and the state.

Routing (no mentor named): active mentors whose skills include the ticket's category, who
speak its language and cover its state; the least loaded (fewest open escalations) first,
then the one escalated to longest ago, so equals take turns.
"""

import sqlalchemy as sa

from helpdesk import signals
from helpdesk.agents.models import User
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.routing import least_loaded_in_turn
from helpdesk.tickets.schemas import Strict
from helpdesk.tickets.services import TRANSITIONS, _set_status, record_event, unit_of_work
from helpdesk.timeutil import utcnow
from helpdesk.validation import Id, text


class EscalationIn(Strict):
    #: user id of the mentor; omitted means routing picks one
    mentor: Id | None = None
    reason: text(1, 2000)


def mentor_fits(mentor: User, ticket: Ticket) -> bool:
    return (
        ticket.block is not None
        and ticket.category.slug in (mentor.skills or [])
        and ticket.language in (mentor.languages or [])
        and ticket.block.state.code in (mentor.states or [])
    )


def fitting_mentors(ticket: Ticket) -> list[User]:
    """Active mentors whose skills, languages and states fit ``ticket``, by name (the
    escalation form's picker)."""
    mentors = db.session.scalars(
        sa.select(User).where(User.role == "mentor", User.active.is_(True)).order_by(User.name)
    ).all()
    return [m for m in mentors if mentor_fits(m, ticket)]


def pick_mentor(ticket: Ticket) -> User | None:
    """The best-fitting mentor for ``ticket``: of those who fit, the one with the fewest
    escalated tickets, equals in turn. None when nobody fits."""
    return least_loaded_in_turn(
        fitting_mentors(ticket),
        holder=Ticket.mentor_id,
        load_statuses=("escalated",),
        event_kind="mentor",
    )


def escalate(ticket: Ticket, actor: User, data: EscalationIn) -> Ticket:
    """Hand ``ticket`` to a mentor (named or routed) with the reason as an internal note;
    ``ticket-escalated`` tells the mentor (live, and in their tray)."""
    if "escalated" not in TRANSITIONS[ticket.status]:
        raise Conflict(
            N_("A %(status)s ticket cannot be escalated."),
            {"status": ticket.status},
            params={"status": ticket.status},
        )
    if ticket.block is None:
        # Mentors see their states' tickets: one without a block is staff's only.
        raise Conflict(
            N_("Triage the ticket into its block first."), {"block": N_("not triaged yet")}
        )
    if data.mentor is not None:
        mentor = db.session.get(User, data.mentor)
        if mentor is None or mentor.role != "mentor" or not mentor.active:
            raise ValidationFailed(N_("Not a mentor."), {"mentor": N_("not an active mentor")})
    else:
        mentor = pick_mentor(ticket)
        if mentor is None:
            raise Conflict(
                N_("No mentor covers this category, language and state; name one."),
                {"mentor": N_("no fitting mentor")},
            )
    with unit_of_work():
        old = ticket.mentor.email if ticket.mentor else None
        record_event(ticket, actor, "mentor", old, mentor.email)
        ticket.mentor = mentor
        _set_status(ticket, actor, "escalated")
        db.session.add(
            Message(
                ticket=ticket,
                author=actor,
                internal=True,
                channel="web",
                created_at=utcnow(),
                body=f"Escalated to {mentor.name}: {data.reason}",
            )
        )
        signals.ticket_escalated.send(ticket, mentor=mentor, actor=actor, automatic=False)
        ticket.updated_at = utcnow()
    return ticket
