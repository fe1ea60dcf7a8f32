"""Rating resolved tickets: who may, when, and how a rating arrives (portal, API, SMS).

Rules:

- The requester's side rates: BRC staff of the ticket's block on the portal or the API,
  the caller by texting one digit. Call-centre staff and mentors never rate (403).
- Only a resolved or closed ticket is rated; any other is a Conflict (409): the ticket is
  not finished yet, which is the ticket's state, not a bad field.
- One rating per ticket: a second one is a Conflict (409); the unique ticket id settles
  two sent at once.
- A text that is one digit 1-5, from a caller with a ticket resolved in the last
  ``SMS_RATING_DAYS`` days, rates the latest such ticket not rated yet and reopens nothing.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from helpdesk.agents.models import User
from helpdesk.contacts.models import Contact
from helpdesk.contacts.services import confirmed_contacts
from helpdesk.errors import Conflict, Forbidden
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.satisfaction.models import SatisfactionRating
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import record_event
from helpdesk.tickets.unit_of_work import unit_of_work
from helpdesk.timeutil import utcnow

RATED_STATUSES = ("resolved", "closed")
SMS_RATING_DAYS = 7
#: the digits 1-5 as phones type them: ASCII, Devanagari (Hindi keyboards), Malayalam
RATING_DIGITS = {
    **{str(n): n for n in range(1, 6)},
    **{chr(0x0966 + n): n for n in range(1, 6)},
    **{chr(0x0D66 + n): n for n in range(1, 6)},
}
RATING_DIGIT = re.compile(r"\s*([" + "".join(RATING_DIGITS) + r"])\s*")
#: the text asking an SMS requester to rate a resolved ticket, in the ticket's language
#: where we have it (like the acknowledgement, ``tickets.tasks.ACKNOWLEDGEMENTS``)
SMS_QUESTIONS = {
    "en": "Your ticket {number} is resolved. How happy are you with the help? "
    "Reply 1 to 5 (5 = very happy).",
    "hi": "आपका टिकट {number} हल हो गया है। हमारी मदद से आप कितने खुश हैं? "
    "1 से 5 तक कोई एक अंक भेजें (5 = बहुत खुश)।",
    "ml": "നിങ്ങളുടെ ടിക്കറ്റ് {number} പരിഹരിച്ചു. ഞങ്ങളുടെ സഹായത്തിൽ നിങ്ങൾ എത്ര "
    "സന്തുഷ്ടരാണ്? 1 മുതൽ 5 വരെ ഒരു അക്കം മറുപടി അയയ്ക്കുക (5 = വളരെ സന്തോഷം).",
}


def sms_question(ticket: Ticket) -> str:
    """The "reply 1 to 5" text for ``ticket``, in its language (English otherwise)."""
    template = SMS_QUESTIONS.get(ticket.language, SMS_QUESTIONS["en"])
    return template.format(number=ticket.number)


def rating_of(ticket: Ticket) -> SatisfactionRating | None:
    return db.session.scalar(
        sa.select(SatisfactionRating).where(SatisfactionRating.ticket_id == ticket.id)
    )


def may_rate(user: User, ticket: Ticket) -> bool:
    """BRC staff of the ticket's block, on a finished ticket nobody rated yet."""
    return (
        user.role == "brc"
        and user.block_id is not None
        and ticket.block_id == user.block_id
        and ticket.status in RATED_STATUSES
        and rating_of(ticket) is None
    )


def rate_ticket(
    ticket: Ticket, user: User, rating: int, comment: str = "", *, channel: str = "web"
) -> SatisfactionRating:
    """Record ``user``'s rating of ``ticket`` (the caller checked the user may see it).
    Forbidden for anyone but BRC staff; Conflict for an unfinished or rated ticket."""
    if user.role != "brc":
        raise Forbidden(N_("Only the requester's side (BRC staff) rates a ticket."))
    return _save(ticket, rating, comment, channel=channel, rated_by=user)


def _save(
    ticket: Ticket,
    rating: int,
    comment: str,
    *,
    channel: str,
    rated_by: User | None = None,
    contact: Contact | None = None,
    now: datetime | None = None,
) -> SatisfactionRating:
    if ticket.status not in RATED_STATUSES:
        raise Conflict(
            N_("Only a resolved or closed ticket can be rated."), {"status": ticket.status}
        )
    if rating_of(ticket) is not None:
        raise Conflict(N_("This ticket has been rated already."), {"rating": N_("already rated")})
    now = now or utcnow()
    entry = SatisfactionRating(
        ticket=ticket,
        rating=rating,
        comment=comment,
        channel=channel,
        rated_by=rated_by,
        contact=contact,
        created_at=now,
    )
    try:
        with unit_of_work():
            db.session.add(entry)
            db.session.flush()
            # Staff read the rating in the ticket's history; it changes nothing else.
            record_event(ticket, rated_by, "rating", None, rating, at=now)
    except IntegrityError:
        raise Conflict(
            N_("This ticket has been rated already."), {"rating": N_("already rated")}
        ) from None
    return entry


@dataclass
class SmsRating:
    """What a rating text did: the ticket it is about and the rating it made (None when
    that ticket was rated before: the text changes nothing)."""

    ticket: Ticket
    rating: SatisfactionRating | None


def rating_digit(text: str) -> int | None:
    """1 to 5 when the whole text is that one digit (spaces aside; ASCII, Devanagari or
    Malayalam), else None."""
    match = RATING_DIGIT.fullmatch(text)
    return RATING_DIGITS[match.group(1)] if match else None


def recently_resolved(phone: str, now: datetime) -> list[Ticket]:
    """Tickets of the callers confirmed behind ``phone`` resolved in the last
    SMS_RATING_DAYS days (and still resolved or closed), the latest resolution first."""
    contact_ids = [c.id for c in confirmed_contacts(phone)]
    if not contact_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Ticket)
            .where(
                Ticket.requester_id.in_(contact_ids),
                Ticket.status.in_(RATED_STATUSES),
                Ticket.resolved_at >= now - timedelta(days=SMS_RATING_DAYS),
            )
            .order_by(Ticket.resolved_at.desc(), Ticket.id.desc())
        )
    )


def rate_by_sms(phone: str, text: str, *, now: datetime | None = None) -> SmsRating | None:
    """The SMS rating rule, run before a text is threaded onto a ticket: None when the text
    is not a rating (not one digit 1-5, or no ticket of the sender's resolved lately).
    Otherwise the latest such ticket not yet rated gets the rating; when all are rated the
    text changes nothing. Never reopens a ticket. Inside the caller's unit of work."""
    digit = rating_digit(text)
    if digit is None:
        return None
    now = now or utcnow()
    tickets = recently_resolved(phone, now)
    if not tickets:
        return None
    rated_ids = set(
        db.session.scalars(
            sa.select(SatisfactionRating.ticket_id).where(
                SatisfactionRating.ticket_id.in_([t.id for t in tickets])
            )
        )
    )
    unrated = [t for t in tickets if t.id not in rated_ids]
    if not unrated:
        return SmsRating(tickets[0], None)
    ticket = unrated[0]
    return SmsRating(
        ticket, _save(ticket, digit, "", channel="sms", contact=ticket.requester, now=now)
    )


def unrated_tickets(user: User, limit: int = 5) -> list[Ticket]:
    """The finished tickets of a BRC user's block nobody rated yet, latest first: the
    portal's prompt."""
    if user.role != "brc" or user.block_id is None:
        return []
    rated = sa.select(SatisfactionRating.ticket_id)
    return list(
        db.session.scalars(
            sa.select(Ticket)
            .where(
                Ticket.block_id == user.block_id,
                Ticket.status.in_(RATED_STATUSES),
                Ticket.id.not_in(rated),
            )
            .order_by(Ticket.resolved_at.desc().nulls_last(), Ticket.id.desc())
            .limit(limit)
        )
    )
