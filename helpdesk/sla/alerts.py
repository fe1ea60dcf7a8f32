"""Who hears about SLA warnings and breaches, and the escalation a policy asks for on breach.

Called by ``policies.refresh_sla`` when it records a new warning or breach, inside the
transaction that records it; notifications and live events go out once it commits (the
services' ``unit_of_work``, or ``timers.check_ticket``/``reconcile_sla``).

- The ticket's assignee (nobody personally when unassigned) and every active manager get
  a notification (kind ``sla.warning`` or ``sla.breached``), sent live as well.
- The rooms that may see the ticket get the event ``sla.warning``/``sla.breached``
  ``{"ticket_id", "number", "target", "due"}``.
- A policy with ``escalate_on_breach`` hands the ticket, on its first breach, to the mentor
  routing picks (``escalation.pick_mentor``); when no mentor fits, the managers are told to
  escalate it by hand.
- Imported history (``unit_of_work(historical=True)``) notifies nobody and escalates nothing.
"""

from datetime import datetime

import sqlalchemy as sa

from helpdesk.agents.models import User
from helpdesk.console import events
from helpdesk.console.notifications import notify
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket, TicketEvent
from helpdesk.timeutil import as_ist

HISTORICAL_KEY = "sla_historical"
TARGET_NAMES = {
    "first_response": "first response",
    "next_response": "next response",
    "resolution": "resolution",
    "mentor_response": "mentor response",
}


def is_historical() -> bool:
    """True while a unit of work replays imported history."""
    return bool(db.session.info.get(HISTORICAL_KEY))


def manager_ids() -> list[int]:
    return list(
        db.session.scalars(
            sa.select(User.id)
            .where(User.role == "manager", User.active.is_(True))
            .order_by(User.id)
        )
    )


def _recipients(ticket: Ticket) -> list[int]:
    assignee = ticket.assignee
    mine = [assignee.id] if assignee is not None and assignee.active else []
    return mine + manager_ids()


def announce(ticket: Ticket, kind: str, target: str, due: datetime, now: datetime) -> None:
    """Notify the assignee and managers of a new warning (``kind="warning"``) or breach
    (``kind="breached"``) and send the live event to the ticket's rooms."""
    if is_historical():
        return
    name = TARGET_NAMES.get(target, target)
    when = as_ist(due).strftime("%d %b %H:%M")
    if kind == "warning":
        text = f"{ticket.number}: the {name} target is due at {when} IST"
    else:
        text = f"{ticket.number}: the {name} target was breached (due {when} IST)"
    notify(_recipients(ticket), f"sla.{kind}", text, ticket=ticket, now=now)
    events.queue_sla_event(ticket, f"sla.{kind}", target=target, due=due)


def escalate_on_breach(ticket: Ticket, now: datetime) -> bool:
    """Hand a breached ticket to the best-fitting mentor (no acting person). Returns True
    when it was escalated; otherwise the managers are asked to do it by hand."""
    from helpdesk.tickets.escalation import pick_mentor
    from helpdesk.tickets.services import TRANSITIONS

    if (
        is_historical()
        or ticket.status == "escalated"
        or "escalated" not in TRANSITIONS[ticket.status]
    ):
        return False
    mentor = pick_mentor(ticket)
    if mentor is None:
        notify(
            manager_ids(),
            "sla.escalation",
            f"{ticket.number} breached its SLA and no mentor fits its category, language "
            "and state: escalate it by hand",
            ticket=ticket,
            now=now,
        )
        return False
    old_mentor = ticket.mentor.email if ticket.mentor else None
    for kind, old, new in (
        ("mentor", old_mentor, mentor.email),
        ("status", ticket.status, "escalated"),
    ):
        db.session.add(
            TicketEvent(ticket=ticket, actor=None, kind=kind, old_value=old, new_value=new, at=now)
        )
    ticket.mentor = mentor
    ticket.status = "escalated"
    ticket.updated_at = now
    notify(
        [mentor.id],
        "escalated",
        f"{ticket.number} was escalated to you automatically: it breached its SLA",
        ticket=ticket,
        now=now,
    )
    events.queue_ticket_event(ticket, "ticket.updated")
    return True
