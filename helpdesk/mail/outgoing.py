"""Which mail goes out, to whom, with what: queued in the transaction of the change that
caused it (a row in the mail log and a ``mail.send`` job), sent after the commit.

- A public reply by the staff side (agent, mentor) goes to the requester's address: the
  contact's, else the BRC staff member who raised the ticket. On a ticket opened by mail
  the automatic acknowledgement goes too (``Auto-Submitted: auto-replied``), so the sender
  learns the number. Internal notes never go anywhere.
- A mentor gets the tickets escalated to them, with a signed link and the invitation to
  answer by replying (``Auto-Submitted: auto-generated``).
- The assignee gets SLA warnings and breaches of their tickets (``auto-generated``).

Unset ``MAIL_SERVER``: nothing is queued. Imported history mails nobody.
"""

from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app

from helpdesk import jobs
from helpdesk.agents.models import User
from helpdesk.extensions import db
from helpdesk.mail import headers, links
from helpdesk.mail.models import EmailMessage
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.unit_of_work import is_historical
from helpdesk.timeutil import as_ist

#: how many earlier Message-IDs a References header carries (the first and the latest)
MAX_REFERENCES = 20
TARGET_NAMES = {
    "first_response": "first response",
    "next_response": "next response",
    "resolution": "resolution",
    "mentor_response": "mentor response",
}


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER")) and not is_historical()


def from_address() -> str:
    return parseaddr(current_app.config.get("MAIL_FROM") or "")[1].lower() or "helpdesk@localhost"


def requester_address(ticket: Ticket) -> str | None:
    if ticket.requester is not None and ticket.requester.email:
        return ticket.requester.email
    creator = ticket.created_by
    if creator is not None and creator.role == "brc" and creator.active and creator.email:
        return creator.email.lower()
    return None


def _conversation(ticket: Ticket, address: str) -> list[str]:
    """Message-IDs of the mails between us and ``address`` about ``ticket``, oldest first
    (a mentor's thread and the requester's stay apart)."""
    ids = db.session.scalars(
        sa.select(EmailMessage.rfc_message_id)
        .where(
            EmailMessage.ticket_id == ticket.id,
            sa.or_(
                sa.and_(EmailMessage.direction == "in", EmailMessage.sender == address),
                sa.and_(EmailMessage.direction == "out", EmailMessage.recipient == address),
            ),
        )
        .order_by(EmailMessage.id)
    ).all()
    # Keys made for mails without a Message-ID are ours, not theirs: never sent back.
    return [i for i in ids if not i.startswith("sha256:")]


def queue_mail(
    ticket: Ticket,
    recipient: str,
    *,
    kind: str,
    subject: str,
    body: str,
    message: Message | None = None,
    auto_submitted: str | None = None,
) -> EmailMessage:
    """Log one outgoing mail, threaded after the earlier ones with ``recipient``, and queue
    its ``mail.send`` job (inside the caller's transaction)."""
    sender = from_address()
    earlier = _conversation(ticket, recipient)
    references = earlier[:1] + earlier[1:][-(MAX_REFERENCES - 1) :] if earlier else []
    row = EmailMessage(
        direction="out",
        kind=kind,
        rfc_message_id=headers.new_message_id(sender),
        ticket=ticket,
        message=message,
        sender=sender,
        recipient=recipient,
        subject=subject[:300],
        in_reply_to=earlier[-1] if earlier else None,
        reference_ids=" ".join(references) or None,
        body=body,
        auto_submitted=auto_submitted,
        status="queued",
    )
    db.session.add(row)
    db.session.flush()
    jobs.enqueue("mail.send", row.id)
    return row


def queue_reply(ticket: Ticket, message: Message) -> EmailMessage | None:
    recipient = requester_address(ticket)
    if recipient is None:
        return None
    prefix = "Re: " if _conversation(ticket, recipient) else ""
    return queue_mail(
        ticket,
        recipient,
        kind="auto" if message.automatic else "reply",
        subject=prefix + headers.tagged_subject(ticket, ticket.subject),
        body=message.body,
        message=message,
        auto_submitted="auto-replied" if message.automatic else None,
    )


def queue_escalation(ticket: Ticket, mentor: User, actor: User | None) -> EmailMessage | None:
    if not mentor.email or not mentor.active:
        return None
    by = f"by {actor.name}" if actor is not None else "automatically (its SLA was breached)"
    link = links.ticket_link(ticket.id, mentor.id)
    place = ticket.block.name if ticket.block is not None else "not triaged"
    body = (
        f"{ticket.number} was escalated to you {by}.\n\n"
        f"**{ticket.subject}** ({ticket.category.name}, {place}, language {ticket.language})\n\n"
        f"{ticket.description}\n\n"
        f"Open the ticket (after signing in): {link}\n\n"
        "Reply to this e-mail to answer the requester: your reply is posted on the ticket "
        "as your public answer. Keep the ticket number in the subject."
    )
    return queue_mail(
        ticket,
        mentor.email.lower(),
        kind="escalation",
        subject=headers.tagged_subject(ticket, f"Escalated to you: {ticket.subject}"),
        body=body,
        auto_submitted="auto-generated",
    )


def queue_sla_alert(ticket: Ticket, kind: str, target: str, due) -> EmailMessage | None:
    assignee = ticket.assignee
    if assignee is None or not assignee.active or not assignee.email:
        return None
    name = TARGET_NAMES.get(target, target.replace("_", " "))
    when = as_ist(due).strftime("%d %b %H:%M") if due is not None else "now"
    if kind == "warning":
        line = f"The {name} target of {ticket.number} is due at {when} IST."
        title = f"SLA warning: {name} due {when} IST"
    else:
        line = f"The {name} target of {ticket.number} was breached (due {when} IST)."
        title = f"SLA breached: {name}"
    base = (current_app.config.get("HELPDESK_URL") or "").rstrip("/")
    body = f"{line}\n\n**{ticket.subject}**\n\n{base}/tickets/{ticket.id}"
    return queue_mail(
        ticket,
        assignee.email.lower(),
        kind="sla",
        subject=headers.tagged_subject(ticket, title),
        body=body,
        auto_submitted="auto-generated",
    )
