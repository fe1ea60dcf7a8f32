"""Telling the rest of the helpdesk about SLA warnings and breaches, and the escalation a
policy asks for on breach.

Called by ``policies.refresh_sla`` when it records a new warning or breach, inside the
transaction that records it. It sends the domain signals ``sla-warning``, ``sla-breached``
and ``sla-escalation-needed`` (``helpdesk.signals``); the console's receivers notify the
assignee and managers and queue the live events, which go out once the unit of work
commits.

- A policy with ``escalate_on_breach`` hands the ticket, on its first breach, to the mentor
  routing picks (``escalation.pick_mentor``) and sends ``ticket-escalated``; when no mentor
  fits, ``sla-escalation-needed`` (the managers are asked to escalate it by hand).
- Imported history (``unit_of_work(historical=True)``) signals nothing and escalates nothing.
"""

from datetime import datetime

from helpdesk import signals
from helpdesk.extensions import db
from helpdesk.tickets.escalation import pick_mentor
from helpdesk.tickets.models import Ticket, TicketEvent
from helpdesk.tickets.services import TRANSITIONS
from helpdesk.tickets.unit_of_work import is_historical


def announce(ticket: Ticket, kind: str, target: str, due: datetime, now: datetime) -> None:
    """Signal a new warning (``kind="warning"``) or breach (``kind="breached"``)."""
    if is_historical():
        return
    signal = signals.sla_warning if kind == "warning" else signals.sla_breached
    signal.send(ticket, target=target, due=due, now=now)


def escalate_on_breach(ticket: Ticket, now: datetime) -> bool:
    """Hand a breached ticket to the best-fitting mentor (no acting person). Returns True
    when it was escalated; otherwise the managers are asked to do it by hand."""
    if (
        is_historical()
        or ticket.status == "escalated"
        or "escalated" not in TRANSITIONS[ticket.status]
    ):
        return False
    mentor = pick_mentor(ticket)
    if mentor is None:
        signals.sla_escalation_needed.send(ticket, now=now)
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
    signals.ticket_escalated.send(ticket, mentor=mentor, actor=None, automatic=True, at=now)
    return True
