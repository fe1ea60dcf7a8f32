"""Finding and recording callers."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from helpdesk.agents.models import User
from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.tickets.queries import open_tickets_of_contacts


def contact_in_block(phone_e164: str, block: Block | None) -> Contact | None:
    """The contact on file for this number in ``block`` (None: the unplaced one)."""
    in_block = Contact.block_id.is_(None) if block is None else Contact.block_id == block.id
    return db.session.scalar(sa.select(Contact).where(Contact.phone == phone_e164, in_block))


def _in_block_or_unplaced(phone_e164: str, block: Block) -> Contact | None:
    """The contact for this number in ``block``, else the unplaced one, now placed in
    ``block``: one query for both (a new caller's ticket would otherwise ask twice)."""
    found = db.session.scalars(
        sa.select(Contact).where(
            Contact.phone == phone_e164,
            sa.or_(Contact.block_id == block.id, Contact.block_id.is_(None)),
        )
    ).all()
    placed = [c for c in found if c.block_id == block.id]
    if placed or not found:
        return placed[0] if placed else None
    unplaced = found[0]
    unplaced.block = block
    return unplaced


def confirmed_contacts(phone_e164: str) -> list[Contact]:
    """The contacts whose number is confirmed to reach them (gateway or call-centre staff),
    in every block, oldest first: those a call or text from this number may be about."""
    return list(
        db.session.scalars(
            sa.select(Contact)
            .where(Contact.phone == phone_e164, Contact.phone_confirmed.is_(True))
            .order_by(Contact.id)
        )
    )


def find_or_create_contact(
    name: str,
    phone_e164: str | None,
    block: Block | None,
    language: str | None = None,
    *,
    confirmed: bool,
) -> Contact:
    """The caller behind ``phone_e164`` in ``block``, created on first contact there; the
    same number in another block is another contact. ``confirmed``: the number comes from
    a gateway or from call-centre staff (not typed in by BRC staff); it confirms an
    existing contact too, and lets staff place an unplaced contact (an unknown texter's)
    in ``block``. Flushes, never commits."""
    if phone_e164:
        if block is not None and confirmed:
            existing = _in_block_or_unplaced(phone_e164, block)
        else:
            existing = contact_in_block(phone_e164, block)
        if existing is not None:
            existing.phone_confirmed = existing.phone_confirmed or confirmed
            return existing
    contact = Contact(
        name=name, phone=phone_e164, block=block, language=language, phone_confirmed=confirmed
    )
    if phone_e164 is None or db.session.get_bind().dialect.name == "sqlite":
        # pysqlite begins a transaction only at its first write, so a SAVEPOINT before any
        # write becomes the outermost transaction and its RELEASE commits for good: a later
        # failure in the same unit of work (an import batch) could not undo the contact.
        # SQLite runs one writer at a time, so there the plain insert is the safe one.
        db.session.add(contact)
        db.session.flush()
        return contact
    try:
        # A savepoint: two calls from the same new number at once must not fail the ticket.
        with db.session.begin_nested():
            db.session.add(contact)
    except IntegrityError:
        existing = contact_in_block(phone_e164, block)
        existing.phone_confirmed = existing.phone_confirmed or confirmed
        return existing
    return contact


def place_contact(contact: Contact, block: Block) -> Contact:
    """Staff triaged ``contact``'s ticket into ``block``: the contact of that block for the
    same number, which an unplaced contact becomes unless the block already has one."""
    if contact.block_id == block.id:
        contact.phone_confirmed = True
        return contact
    if contact.block_id is None and (
        contact.phone is None or contact_in_block(contact.phone, block) is None
    ):
        contact.block = block
        contact.phone_confirmed = True
        db.session.flush()
        return contact
    return find_or_create_contact(
        contact.name, contact.phone, block, contact.language, confirmed=True
    )


def users_with_phone(phone_e164: str) -> list[User]:
    """Staff (usually BRC staff) whose profile carries this number."""
    return list(db.session.scalars(sa.select(User).where(User.phone == phone_e164)))


@dataclass
class CallerLookup:
    """Who is behind a number: the caller on file, staff with that number, their open tickets."""

    phone: str
    contacts: list[Contact] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    open_tickets: list = field(default_factory=list)

    @property
    def name(self) -> str | None:
        people = [*self.contacts, *self.users]
        return people[0].name if people else None

    def people(self) -> list[dict]:
        """The people found, as the console shows them."""
        return [
            {
                "kind": "contact",
                "id": c.id,
                "name": c.name,
                "block": c.block.code if c.block else None,
            }
            for c in self.contacts
        ] + [
            {
                "kind": "user",
                "id": u.id,
                "name": u.name,
                "role": u.role,
                "block": u.block.code if u.block else None,
            }
            for u in self.users
        ]


def lookup_caller(phone_e164: str, viewer: User | None = None) -> CallerLookup:
    """Everyone behind ``phone_e164`` and their open tickets (newest first) that ``viewer``
    may see; ``viewer=None`` reads as call-centre staff, who see every ticket. The one
    lookup used by the contact-lookup API, telephony events and SMS intake.

    Only contacts whose number is confirmed count, in whichever block: a number BRC staff
    typed in for a requester does not make its owner that block's caller. Contacts come
    oldest first: the first is where the caller was first on file."""
    contacts = confirmed_contacts(phone_e164)
    users = users_with_phone(phone_e164)
    tickets = open_tickets_of_contacts(
        viewer, [c.id for c in contacts], user_ids=[u.id for u in users if u.role == "brc"]
    )
    return CallerLookup(phone_e164, contacts, users, tickets)
