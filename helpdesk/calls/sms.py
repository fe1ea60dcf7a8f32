"""SMS: a text in becomes a ticket or a reply on the sender's open ticket; a staff reply on
an SMS ticket goes out as a text."""

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from helpdesk import jobs
from helpdesk.calls.models import SmsMessage
from helpdesk.calls.schemas import SmsInboundIn
from helpdesk.contacts.services import lookup_caller
from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.satisfaction.models import SatisfactionRating
from helpdesk.satisfaction.services import rate_by_sms, rating_digit, rating_of
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.schemas import MessageCreate, TicketCreate

#: Unicode blocks of the scripts callers text in → the language a ticket gets. Bengali
#: script is also Assamese's; without more to go on it reads as Bengali.
SCRIPTS: list[tuple[int, int, str]] = [
    (0x0900, 0x097F, "hi"),  # Devanagari
    (0x0980, 0x09FF, "bn"),  # Bengali / Assamese
    (0x0A00, 0x0A7F, "pa"),  # Gurmukhi
    (0x0A80, 0x0AFF, "gu"),  # Gujarati
    (0x0B00, 0x0B7F, "or"),  # Odia
    (0x0B80, 0x0BFF, "ta"),  # Tamil
    (0x0C00, 0x0C7F, "te"),  # Telugu
    (0x0C80, 0x0CFF, "kn"),  # Kannada
    (0x0D00, 0x0D7F, "ml"),  # Malayalam
]
SUBJECT_WORDS = 8
SUBJECT_CHARS = 70


@dataclass
class SmsIntake:
    ticket: Ticket
    message: Message | None
    sms: SmsMessage
    created: bool
    #: the gateway delivered this text before (same ``id``): nothing new was written
    repeat: bool = False
    #: the text was a rating (one digit 1-5) of a ticket resolved lately
    rating: SatisfactionRating | None = None


def guess_language(text: str, default: str = "en") -> str:
    """The language of the script most of ``text``'s letters are written in; Latin → en."""
    counts: dict[str, int] = {}
    for ch in text:
        code = ord(ch)
        if ch.isascii():
            lang = "en" if ch.isalpha() else None
        else:
            lang = next((tag for lo, hi, tag in SCRIPTS if lo <= code <= hi), None)
        if lang:
            counts[lang] = counts.get(lang, 0) + 1
    return max(counts, key=counts.get) if counts else default


def subject_from(text: str, phone: str) -> str:
    """The first words of the text, shortened with an ellipsis; "SMS from <number>" when
    the text is too short to say anything."""
    words = text.split()
    subject = " ".join(words[:SUBJECT_WORDS])
    if len(subject) > SUBJECT_CHARS:
        subject = subject[:SUBJECT_CHARS].rsplit(" ", 1)[0] or subject[:SUBJECT_CHARS]
    if subject != " ".join(words):
        subject += "…"
    return subject if len(re.sub(r"\W", "", subject)) >= 3 else f"SMS from {phone}"


def receive_sms(data: SmsInboundIn) -> SmsIntake:
    """A text that is one digit 1-5 from a caller with a ticket resolved in the last 7 days
    rates that ticket (``satisfaction.services.rate_by_sms``) and reopens nothing; a second
    digit for a rated ticket changes nothing. Otherwise: a text from a number with an open ticket (a confirmed contact's, or one BRC staff
    with that number raised) is a requester reply on the latest of them, which reopens it
    if pending or resolved. Otherwise it opens a ticket on channel ``sms`` in the sender's
    block; a sender whose block is unknown (nobody on file) or unclear (on file in several
    blocks) opens one without a block, for staff to triage. Nothing is refused. A text
    whose gateway ``id`` was seen before from the same number changes nothing."""
    phone, text = data.from_number, data.text
    if data.id:
        earlier = db.session.scalar(
            sa.select(SmsMessage).where(
                SmsMessage.direction == "in",
                SmsMessage.phone == phone,
                SmsMessage.provider_id == data.id,
            )
        )
        if earlier is not None and earlier.ticket is not None:
            rating = _rating_made_by(earlier)
            # it opened the ticket, rather than replied or rated
            created = earlier.message is None and rating is None
            return SmsIntake(
                earlier.ticket, earlier.message, earlier, created, repeat=True, rating=rating
            )
    sms = SmsMessage(direction="in", phone=phone, text=text, status="received", provider_id=data.id)
    rated = None
    if rating_digit(text) is not None:
        # Before threading: "4" after a resolution is a rating, not a reply that reopens.
        with tickets.unit_of_work():
            rated = rate_by_sms(phone, text)
            if rated is not None:
                sms.ticket = rated.ticket
                db.session.add(sms)
    if rated is not None:
        return SmsIntake(rated.ticket, None, sms, False, rating=rated.rating)
    found = lookup_caller(phone)
    staff = next((u for u in found.users if u.role == "brc" and u.active and u.block), None)
    if found.open_tickets:
        ticket = found.open_tickets[0]
        # BRC staff write as themselves; a caller as their contact on that ticket.
        author = staff if staff is not None and ticket.created_by_id == staff.id else None
        contact = next((c for c in found.contacts if c.id == ticket.requester_id), None)
        if author is None and contact is None:
            author = staff
        with tickets.unit_of_work():
            db.session.add(sms)
            message = tickets.add_message(
                ticket, author, MessageCreate(body=text), channel="sms", contact=contact
            )
            sms.ticket, sms.message = ticket, message
        return SmsIntake(ticket, message, sms, False)

    block = _sender_block(found)
    in_block = [c for c in found.contacts if block is None or c.block_id == block.id]
    contact = in_block[0] if in_block else None
    actor = (
        staff if staff is not None and block is not None and staff.block_id == block.id else None
    )
    name = contact.name if contact else (actor.name if actor else phone)
    language = (contact.language if contact else None) or "en"
    ticket_data = TicketCreate.model_validate(
        {
            "subject": subject_from(text, phone),
            "description": text,
            "category": current_app.config.get("SMS_CATEGORY") or "business-opportunity",
            "channel": "sms",
            "language": guess_language(text, language),
            "block": block.code if block else None,
            "requester": {"name": name[:120], "phone": phone},
        }
    )
    with tickets.unit_of_work():
        db.session.add(sms)
        ticket = tickets.create_ticket(ticket_data, actor, from_gateway=True)
        sms.ticket = ticket
    return SmsIntake(ticket, None, sms, True)


def _rating_made_by(sms: SmsMessage) -> SatisfactionRating | None:
    """The rating an earlier text made, if it was one."""
    if sms.message is not None or rating_digit(sms.text) is None:
        return None
    rating = rating_of(sms.ticket)
    return rating if rating is not None and rating.channel == "sms" else None


def _sender_block(found) -> Block | None:
    """The one block the sender is on file in (as a contact, or as its BRC staff); None
    when there is none or more than one: staff triage the ticket then."""
    blocks = {c.block_id: c.block for c in found.contacts if c.block_id is not None}
    blocks |= {u.block_id: u.block for u in found.users if u.role == "brc" and u.active and u.block}
    return next(iter(blocks.values())) if len(blocks) == 1 else None


def queue_reply(ticket: Ticket, message: Message) -> None:
    """Queue a staff reply on an SMS ticket as a text to the requester's phone (inside the
    reply's unit of work; the ``sms.send`` job sends it after the commit). A ticket whose
    requester has no number, or a number not confirmed as theirs (typed in by BRC staff),
    gets nothing."""
    queue_text(ticket, message.body, message=message)


def confirmed_requester_phone(ticket: Ticket) -> str | None:
    """The requester's number when it is confirmed as theirs (not typed in by BRC staff)."""
    requester = ticket.requester
    if requester is None or not requester.phone or not requester.phone_confirmed:
        return None
    return requester.phone


def queue_text(ticket: Ticket, text: str, *, message: Message | None = None) -> SmsMessage | None:
    """Queue ``text`` to the ticket's requester, inside the caller's unit of work (the
    ``sms.send`` job sends it after the commit); None when their number is not confirmed."""
    phone = confirmed_requester_phone(ticket)
    if phone is None:
        return None
    sms = SmsMessage(
        direction="out", phone=phone, text=text, ticket=ticket, message=message, status="queued"
    )
    db.session.add(sms)
    db.session.flush()
    jobs.enqueue("sms.send", sms.id)
    return sms
