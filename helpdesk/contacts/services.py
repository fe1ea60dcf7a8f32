"""Finding and recording callers."""

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from helpdesk.agents.models import User
from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.tickets.queries import open_tickets_of_contacts
from helpdesk.tickets.writing import inserts_in_with, remember_written
from helpdesk.timeutil import utcnow


def contact_in_block(phone_e164: str, block: Block | None) -> Contact | None:
    """The contact on file for this number in ``block`` (None: the unplaced one)."""
    in_block = Contact.block_id.is_(None) if block is None else Contact.block_id == block.id
    return db.session.scalar(sa.select(Contact).where(Contact.phone == phone_e164, in_block))


#: built once: a new ticket runs it, and building and keying the statement each time cost
#: about as much as running it
_IN_BLOCK_OR_UNPLACED = sa.select(Contact).where(
    Contact.phone == sa.bindparam("phone"),
    sa.or_(Contact.block_id == sa.bindparam("block_id"), Contact.block_id.is_(None)),
)


def _in_block_or_unplaced(phone_e164: str, block: Block) -> Contact | None:
    """The contact for this number in ``block``, else the unplaced one, now placed in
    ``block``: one query for both (a new caller's ticket would otherwise ask twice)."""
    found = db.session.scalars(
        _IN_BLOCK_OR_UNPLACED, {"phone": phone_e164, "block_id": block.id}
    ).all()
    return _placed_first(found, block)


def _placed_first(found: Sequence[Contact], block: Block) -> Contact | None:
    """Of the contacts found for a number, the one in ``block``; else the unplaced one, now
    placed in ``block``; else None."""
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
    in ``block``. Writes, never commits."""
    values = {
        "name": name,
        "phone": phone_e164,
        "block_id": block.id if block is not None else None,
        "language": language,
        "phone_confirmed": confirmed,
        "created_at": utcnow(),
    }
    if phone_e164:
        if block is not None and inserts_in_with(db.session):
            found, written = _found_or_written(values, unplaced_too=confirmed)
            if written is not None:
                return written
            existing = _placed_first(found, block)
        elif block is not None and confirmed:
            existing = _in_block_or_unplaced(phone_e164, block)
        else:
            existing = contact_in_block(phone_e164, block)
        if existing is not None:
            _confirm(existing, confirmed)
            return existing
    contact = _insert_unless_on_file(**values)
    if contact is None:  # the same new number came in at the same moment: theirs is on file
        existing = contact_in_block(phone_e164, block)
        _confirm(existing, confirmed)
        return existing
    return contact


def _confirm(contact: Contact, confirmed: bool) -> None:
    """A confirmed number confirms the contact; set only then, so an unchanged contact
    stays clean and the commit's flush has nothing to look at."""
    if confirmed and not contact.phone_confirmed:
        contact.phone_confirmed = True


_NEW_CONTACT_COLUMNS = ("name", "phone", "block_id", "language", "phone_confirmed", "created_at")
_INSERT_CONTACT: dict[str, sa.Insert] = {}


def _find_or_insert_statement(*, unplaced_too: bool) -> sa.Select:
    """``WITH found AS (SELECT … the number in the block [or unplaced]), new_contact AS
    (INSERT … WHERE NOT EXISTS (SELECT FROM found) ON CONFLICT DO NOTHING RETURNING …)
    SELECT found.*, false AS written … UNION ALL SELECT new_contact.*, true …``: a caller's
    lookup and, for a new caller, the insert in one round trip (PostgreSQL; SQLite has no
    INSERT in a WITH). Parameters: the new contact's columns."""
    contacts = Contact.__table__
    in_block = contacts.c.block_id == sa.bindparam("block_id")
    found = (
        sa.select(contacts)
        .where(
            contacts.c.phone == sa.bindparam("phone"),
            sa.or_(in_block, contacts.c.block_id.is_(None)) if unplaced_too else in_block,
        )
        .cte("found")
    )
    # Cast: in a SELECT list PostgreSQL would take an untyped parameter for text.
    new_values = [
        sa.cast(sa.bindparam(name, type_=contacts.c[name].type), contacts.c[name].type)
        for name in _NEW_CONTACT_COLUMNS
    ]
    new_contact = (
        postgresql_insert(contacts)
        .from_select(
            list(_NEW_CONTACT_COLUMNS), sa.select(*new_values).where(~sa.exists(found.select()))
        )
        .on_conflict_do_nothing()
        .returning(*contacts.c)
        .cte("new_contact")
    )
    both = sa.union_all(
        sa.select(found, sa.false().label("written")),
        sa.select(new_contact, sa.true().label("written")),
    )
    return sa.select(Contact, sa.column("written", sa.Boolean)).from_statement(both)


#: built once (placed contacts only; or the unplaced one too), values bound per call
_FIND_OR_INSERT = {
    unplaced_too: _find_or_insert_statement(unplaced_too=unplaced_too)
    for unplaced_too in (False, True)
}


def _found_or_written(values: dict, *, unplaced_too: bool) -> tuple[list[Contact], Contact | None]:
    """The contacts on file for the number in the block (and the unplaced one, with
    ``unplaced_too``); when there are none, the new contact written from ``values``, or
    None when the same new number was written at the same moment (the caller then reads
    theirs)."""
    rows = db.session.execute(_FIND_OR_INSERT[unplaced_too], values).all()
    written = next((contact for contact, is_new in rows if is_new), None)
    if written is not None:
        remember_written(db.session, written)  # a rollback takes it out of the session
    return [contact for contact, is_new in rows if not is_new], written


def _insert_unless_on_file(**values) -> Contact | None:
    """The new contact, written at once, or None when its number is already on file in its
    block.

    One ``INSERT … ON CONFLICT DO NOTHING RETURNING`` instead of the ORM's flush inside a
    savepoint: two calls from the same new number at once must not fail a ticket, and this
    way neither a savepoint nor a second flush is needed (a new caller's ticket is the
    commonest write of all). The session loads the returned row as it loads a SELECT's (no
    autoflush); ``populate_existing``: a rolled-back contact whose id the database gives
    out again (SQLite does) is refreshed, not taken for a second object. On PostgreSQL a
    number in a block goes through ``_found_or_written`` instead, and comes here only when
    another request wrote it at the same moment."""
    dialect = db.session.get_bind().dialect.name
    statement = _INSERT_CONTACT.get(dialect)
    if statement is None:  # built once per database kind, its values bound per call
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = _INSERT_CONTACT[dialect] = (
            insert(Contact)
            .values({name: sa.bindparam(name) for name in _NEW_CONTACT_COLUMNS})
            .on_conflict_do_nothing()
            .returning(Contact)
        )
    with db.session.no_autoflush:
        contact = db.session.scalar(
            statement, values, execution_options={"populate_existing": True}
        )
    if contact is not None:
        remember_written(db.session, contact)  # a rollback takes it out of the session
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
