"""Mail in: the one service behind the webhook and the IMAP poller.

A mail that names a ticket (``[KS-000123]`` in the subject, else In-Reply-To/References
matching a Message-ID we stored) is a reply on it, when its sender may write there: the
ticket's requester (the contact's address, or the BRC staff of its block) or the mentor
it was escalated to (who then answers the requester publicly). Anything else opens a
ticket (channel ``email``): in the block of the sender on file (BRC staff, or a contact
known in one block), else without a block, for triage. Nothing is refused.

Machines' mail (Auto-Submitted other than ``no``, bounces, our own Message-IDs) is logged
and ignored. A sender past ``EMAIL_NEW_TICKETS_PER_HOUR`` new tickets in the last hour
writes onto their latest ticket instead. The same Message-ID twice is taken once (a unique
index on the mail log).
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from helpdesk.agents.models import User
from helpdesk.agents.services import user_by_email
from helpdesk.calls.sms import guess_language
from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.mail import files, headers
from helpdesk.mail.models import EmailMessage
from helpdesk.mail.parsing import InboundMail, parse_mail
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.schemas import MessageCreate, TicketCreate
from helpdesk.tickets.unit_of_work import unit_of_work
from helpdesk.timeutil import utcnow

#: the longest text a ticket's description or a message takes (``tickets.schemas.Body``)
MAX_TEXT = 20000
EMPTY_TEXT = "(The e-mail had no text.)"


@dataclass
class MailIntake:
    email: EmailMessage
    ticket: Ticket | None
    message: Message | None
    #: it opened a ticket (its text is the description)
    created: bool
    #: this Message-ID was taken before: nothing new was written
    repeat: bool = False

    @property
    def ignored(self) -> str | None:
        return self.email.error if self.email.status == "ignored" else None


def own_address() -> str:
    return parseaddr(current_app.config.get("MAIL_FROM") or "")[1].lower()


def receive_email(raw: bytes, *, now: datetime | None = None) -> MailIntake:
    """Take one raw RFC 822 mail (see the module's rules); all of it is written, or
    nothing."""
    mail = parse_mail(raw)
    earlier = _logged(mail.message_id)
    if earlier is not None:
        return _repeat(earlier)
    try:
        return _receive(mail, now or utcnow())
    except IntegrityError:
        # The same mail, delivered twice at once, was taken by the other delivery.
        earlier = _logged(mail.message_id)
        if earlier is None:
            raise
        return _repeat(earlier)


def _receive(mail: InboundMail, now: datetime) -> MailIntake:
    # Before anything is written: a refused file is named in the text, never a lost mail.
    screened = files.screen(mail.attachments)
    ours = own_address()
    reason = mail.ignore_reason
    if reason is None and (mail.sender == ours or headers.is_own_id(mail.message_id, ours)):
        reason = "our own mail"
    log = EmailMessage(
        direction="in",
        # "new" once it has opened a ticket (the hourly limit counts those)
        kind="ignored" if reason else "reply",
        rfc_message_id=mail.message_id,
        sender=mail.sender[:254],
        recipient=mail.recipient[:254] or None,
        subject=mail.subject,
        in_reply_to=mail.in_reply_to[0] if mail.in_reply_to else None,
        reference_ids=" ".join(mail.references) or None,
        status="ignored" if reason else "received",
        error=reason,
        created_at=now,
    )
    with unit_of_work():
        # First, so a second delivery of the same mail stops here (the unique index).
        db.session.add(log)
        db.session.flush()
        if reason:
            return MailIntake(log, None, None, False)
        ticket = _thread_of(mail)
        writer = _writer_on(ticket, mail.sender) if ticket is not None else None
        if writer is not None and ticket.status == "closed":
            writer = None  # a closed ticket takes nothing more: the mail opens a new one
        if writer is None and _over_hourly_limit(mail.sender, now):
            ticket = _latest_open_ticket_of(mail.sender)
            if ticket is not None:
                writer = _writer_on(ticket, mail.sender) or (None, ticket.requester)
        if writer is not None:
            author, contact = writer
            message = tickets.add_message(
                ticket,
                author,
                MessageCreate(body=_text(mail, screened)),
                channel="email",
                contact=contact,
                now=now,
            )
            files.attach(ticket, author, screened.accepted, message)
            log.ticket, log.message = ticket, message
            return MailIntake(log, ticket, message, False)
        ticket, staff = _open_ticket(mail, screened, now)
        files.attach(ticket, staff, screened.accepted, None)
        log.ticket, log.kind = ticket, "new"
        return MailIntake(log, ticket, None, True)


def _logged(message_id: str) -> EmailMessage | None:
    return db.session.scalar(
        sa.select(EmailMessage).where(EmailMessage.rfc_message_id == message_id)
    )


def _repeat(earlier: EmailMessage) -> MailIntake:
    return MailIntake(earlier, earlier.ticket, earlier.message, earlier.kind == "new", repeat=True)


def _text(mail: InboundMail, screened: files.Screened) -> str:
    text = mail.text or mail.full_text
    note = screened.note()
    if note:
        text = f"{text}\n\n{note}" if text else note
    return (text or EMPTY_TEXT)[:MAX_TEXT]


def _thread_of(mail: InboundMail) -> Ticket | None:
    """The ticket the mail names: by the number in its subject, else by the Message-IDs it
    answers (In-Reply-To first, then References, latest first)."""
    ticket_id = headers.ticket_id_in_subject(mail.subject)
    if ticket_id is not None:
        ticket = db.session.get(Ticket, ticket_id)
        if ticket is not None:
            return ticket
    answered = mail.in_reply_to + list(reversed(mail.references))
    if not answered:
        return None
    rows = db.session.execute(
        sa.select(EmailMessage.rfc_message_id, EmailMessage.ticket_id).where(
            EmailMessage.rfc_message_id.in_(answered[:100]),
            EmailMessage.ticket_id.is_not(None),
        )
    ).all()
    by_id = dict(rows)
    for message_id in answered:
        if message_id in by_id:
            return db.session.get(Ticket, by_id[message_id])
    return None


def _writer_on(ticket: Ticket, sender: str) -> tuple[User | None, Contact | None] | None:
    """Who the sender writes as on ``ticket`` (author, contact), or None when they may not
    write there: a From address alone may not put words into a stranger's ticket."""
    mentor = ticket.mentor
    if mentor is not None and mentor.active and mentor.email.lower() == sender:
        return mentor, None
    requester = ticket.requester
    if requester is not None and requester.email == sender:
        return None, requester
    user = user_by_email(sender)
    if (
        user is not None
        and user.active
        and user.role == "brc"
        and ticket.block_id is not None
        and user.block_id == ticket.block_id
    ):
        return user, None
    return None


def _over_hourly_limit(sender: str, now: datetime) -> bool:
    limit = current_app.config.get("EMAIL_NEW_TICKETS_PER_HOUR", 10)
    opened = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(EmailMessage)
        .where(
            EmailMessage.sender == sender,
            EmailMessage.direction == "in",
            EmailMessage.kind == "new",
            EmailMessage.created_at > now - timedelta(hours=1),
        )
    )
    return opened >= limit


def _latest_open_ticket_of(sender: str) -> Ticket | None:
    return db.session.scalar(
        sa.select(Ticket)
        .join(EmailMessage, EmailMessage.ticket_id == Ticket.id)
        .where(
            EmailMessage.sender == sender,
            EmailMessage.direction == "in",
            Ticket.status != "closed",
        )
        .order_by(EmailMessage.id.desc())
        .limit(1)
    )


def _open_ticket(
    mail: InboundMail, screened: files.Screened, now: datetime
) -> tuple[Ticket, User | None]:
    """A new ``email`` ticket in the sender's block, or in triage when it is not known;
    with the BRC staff member who wrote it, if it was one."""
    staff = user_by_email(mail.sender)
    if staff is not None and not (staff.active and staff.role == "brc" and staff.block):
        staff = None
    block = staff.block if staff is not None else _contact_block(mail.sender)
    contact = None if staff is not None else _contact_for(mail, block)
    text = _text(mail, screened)
    fallback = (contact.language if contact else None) or "en"
    data = TicketCreate.model_validate(
        {
            "subject": _subject(mail),
            "description": text,
            "category": current_app.config.get("EMAIL_CATEGORY") or "business-opportunity",
            "channel": "email",
            "language": guess_language(text, fallback),
            "block": block.code if block else None,
        }
    )
    ticket = tickets.create_ticket(data, staff, now=now, from_gateway=True)
    if contact is not None:
        ticket.requester = contact
    return ticket, staff


def _subject(mail: InboundMail) -> str:
    subject = headers.bare_subject(mail.subject)[:200].strip()
    if len(re.sub(r"\W", "", subject)) >= 3:
        return subject
    return f"E-mail from {mail.sender}"[:200]


def _contact_block(sender: str) -> Block | None:
    """The one block where a contact with this address is on file; None for none or
    several (staff triage the ticket then)."""
    blocks = db.session.scalars(
        sa.select(Contact.block_id)
        .where(Contact.email == sender, Contact.block_id.is_not(None))
        .distinct()
    ).all()
    return db.session.get(Block, blocks[0]) if len(blocks) == 1 else None


def _contact_for(mail: InboundMail, block: Block | None) -> Contact:
    in_block = Contact.block_id.is_(None) if block is None else Contact.block_id == block.id
    contact = db.session.scalar(
        sa.select(Contact).where(Contact.email == mail.sender, in_block).order_by(Contact.id)
    )
    if contact is None:
        name = " ".join(mail.sender_name.split())[:120] or mail.sender[:120]
        contact = Contact(name=name, email=mail.sender, block=block)
        db.session.add(contact)
        db.session.flush()
    return contact
