"""What the live console does when tickets change: live events, notifications, auto-assignment.

Connected once by ``create_app`` (``connect_signals``). Inside the transaction these
receivers only write (notification rows, outbox jobs) and queue live events
(``events.queue_*``); the queue goes out when the unit of work commits and is forgotten
when it rolls back, so a rolled-back change is never announced.
"""

import logging

import sqlalchemy as sa

from helpdesk import jobs, signals
from helpdesk.agents.models import User
from helpdesk.console import events
from helpdesk.console.notifications import notify
from helpdesk.console.settings import auto_assign_enabled
from helpdesk.extensions import db
from helpdesk.tickets.models import TicketEvent
from helpdesk.timeutil import as_ist

log = logging.getLogger(__name__)

TARGET_NAMES = {
    "first_response": "first response",
    "next_response": "next response",
    "resolution": "resolution",
    "mentor_response": "mentor response",
}


# ---- the unit of work --------------------------------------------------------------------------


def send_queued_events(_sender, *, historical: bool = False, **kwargs) -> None:
    """After the commit: emit the live events the transaction queued (none for imported
    history). An emit that fails is logged; the change itself is committed."""
    if historical:
        events.discard_pending()
        return
    try:
        events.send_pending()
    except Exception:
        events.discard_pending()
        log.exception("live console events not sent")


def forget_queued_events(_sender, **kwargs) -> None:
    events.discard_pending()


# ---- tickets -----------------------------------------------------------------------------------


def queue_ticket_event(ticket, *, kind: str, **kwargs) -> None:
    """Every audited change redraws the ticket on the consoles that may see it."""
    events.queue_ticket_event(ticket, "ticket.created" if kind == "created" else "ticket.updated")


def queue_auto_assignment(ticket, *, live: bool = True, **kwargs) -> None:
    """A new live ticket goes to an online agent when an admin switched auto-assignment on."""
    if live and auto_assign_enabled():
        jobs.enqueue("console.auto_assign", ticket)  # its id once written


def announce_message(ticket, *, author=None, automatic=False, staff_reply=False, **kwargs) -> None:
    """An automatic message (the acknowledgement) redraws the conversation; a mentor's
    public answer on a ticket escalated to them is told to whoever follows it up."""
    if automatic:
        events.queue_ticket_event(ticket, "ticket.updated")
    if staff_reply:
        _notify_mentor_answer(ticket, author)


def _notify_mentor_answer(ticket, author: User | None) -> None:
    """The mentor a ticket was escalated to answered publicly: tell its assignee or, when
    nobody holds it, whoever escalated it (the call-centre side follows it up)."""
    if author is None or author.role != "mentor" or author.id != ticket.mentor_id:
        return
    recipient_id = ticket.assignee_id
    if recipient_id is None:
        recipient_id = db.session.scalar(
            sa.select(TicketEvent.actor_id)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "mentor")
            .order_by(TicketEvent.id.desc())
            .limit(1)
        )
    if recipient_id is not None and recipient_id != author.id:
        notify(
            [recipient_id],
            "mentor.answered",
            f"{author.name} answered {ticket.number}: {ticket.subject}",
            ticket=ticket,
        )


def notify_mentor_of_escalation(
    ticket, *, mentor, actor=None, automatic=False, at=None, **kwargs
) -> None:
    """The mentor hears of a ticket escalated to them (live, and in their tray)."""
    if automatic:
        text = f"{ticket.number} was escalated to you automatically: it breached its SLA"
    else:
        text = f"{ticket.number} was escalated to you by {actor.name}: {ticket.subject}"
    notify([mentor.id], "escalated", text, ticket=ticket, now=at)
    events.queue_ticket_event(ticket, "ticket.updated")


# ---- the SLA engine ----------------------------------------------------------------------------


def manager_ids() -> list[int]:
    return list(
        db.session.scalars(
            sa.select(User.id)
            .where(User.role == "manager", User.active.is_(True))
            .order_by(User.id)
        )
    )


def _sla_recipients(ticket) -> list[int]:
    assignee = ticket.assignee
    mine = [assignee.id] if assignee is not None and assignee.active else []
    return mine + manager_ids()


def _announce_sla(ticket, kind: str, target: str, due, now) -> None:
    """The assignee and every active manager get a notification (kind ``sla.warning`` or
    ``sla.breached``); the rooms that may see the ticket get the live event."""
    name = TARGET_NAMES.get(target, target)
    when = as_ist(due).strftime("%d %b %H:%M")
    if kind == "warning":
        text = f"{ticket.number}: the {name} target is due at {when} IST"
    else:
        text = f"{ticket.number}: the {name} target was breached (due {when} IST)"
    notify(_sla_recipients(ticket), f"sla.{kind}", text, ticket=ticket, now=now)
    events.queue_sla_event(ticket, f"sla.{kind}", target=target, due=due)


def announce_sla_warning(ticket, *, target: str, due, now, **kwargs) -> None:
    _announce_sla(ticket, "warning", target, due, now)


def announce_sla_breach(ticket, *, target: str, due, now, **kwargs) -> None:
    _announce_sla(ticket, "breached", target, due, now)


def ask_managers_to_escalate(ticket, *, now, **kwargs) -> None:
    notify(
        manager_ids(),
        "sla.escalation",
        f"{ticket.number} breached its SLA and no mentor fits its category, language "
        "and state: escalate it by hand",
        ticket=ticket,
        now=now,
    )


def connect_signals() -> None:
    """Connect the console's receivers (idempotent: blinker connects a function once)."""
    signals.unit_of_work_committed.connect(send_queued_events)
    signals.unit_of_work_rolled_back.connect(forget_queued_events)
    signals.ticket_changed.connect(queue_ticket_event)
    signals.ticket_created.connect(queue_auto_assignment)
    signals.message_added.connect(announce_message)
    signals.ticket_escalated.connect(notify_mentor_of_escalation)
    signals.sla_warning.connect(announce_sla_warning)
    signals.sla_breached.connect(announce_sla_breach)
    signals.sla_escalation_needed.connect(ask_managers_to_escalate)
