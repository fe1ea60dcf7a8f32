"""Finding and recording callers."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from helpdesk.agents.models import User
from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.tickets.queries import open_tickets_of_contacts


def contact_by_phone(phone_e164: str) -> Contact | None:
    return db.session.scalar(sa.select(Contact).where(Contact.phone == phone_e164))


def find_or_create_contact(
    name: str, phone_e164: str | None, block: Block | None, language: str | None = None
) -> Contact:
    """The caller behind ``phone_e164``, created on first contact. Flushes, never commits."""
    if phone_e164:
        existing = contact_by_phone(phone_e164)
        if existing is not None:
            if existing.block_id is None and block is not None:
                existing.block = block
            return existing
    contact = Contact(name=name, phone=phone_e164, block=block, language=language)
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
        return contact_by_phone(phone_e164)
    return contact


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
    lookup used by the contact-lookup API, telephony events and SMS intake."""
    contact = contact_by_phone(phone_e164)
    contacts = [contact] if contact else []
    users = users_with_phone(phone_e164)
    tickets = open_tickets_of_contacts(
        viewer, [c.id for c in contacts], user_ids=[u.id for u in users if u.role == "brc"]
    )
    return CallerLookup(phone_e164, contacts, users, tickets)
