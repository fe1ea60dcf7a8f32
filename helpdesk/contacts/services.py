"""Finding and recording callers."""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from helpdesk.agents.models import User
from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.geography.models import Block


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
