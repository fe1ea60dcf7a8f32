"""How mail follows ticket changes. Connected once by ``create_app``; each receiver only
queues (a mail-log row and a job in the same transaction), so nothing is sent for a change
that rolls back."""

from helpdesk import signals
from helpdesk.mail import outgoing


def mail_public_reply(
    ticket, *, message, internal=False, automatic=False, staff_reply=False, **kwargs
) -> None:
    """A public staff reply goes to the requester by mail; so does the automatic
    acknowledgement of a ticket opened by mail. Internal notes never."""
    if internal or message.internal or not outgoing.mail_enabled():
        return
    if staff_reply or (automatic and ticket.channel == "email"):
        outgoing.queue_reply(ticket, message)


def mail_mentor(ticket, *, mentor, actor=None, **kwargs) -> None:
    if outgoing.mail_enabled():
        outgoing.queue_escalation(ticket, mentor, actor)


def mail_sla_warning(ticket, *, target, due=None, **kwargs) -> None:
    if outgoing.mail_enabled():
        outgoing.queue_sla_alert(ticket, "warning", target, due)


def mail_sla_breach(ticket, *, target, due=None, **kwargs) -> None:
    if outgoing.mail_enabled():
        outgoing.queue_sla_alert(ticket, "breached", target, due)


def connect_signals() -> None:
    signals.message_added.connect(mail_public_reply)
    signals.ticket_escalated.connect(mail_mentor)
    signals.sla_warning.connect(mail_sla_warning)
    signals.sla_breached.connect(mail_sla_breach)
