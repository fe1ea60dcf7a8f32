"""Migration 0010 places existing contacts in their tickets' blocks: a number used in several
blocks becomes one contact per block, and numbers only BRC staff typed in stay unconfirmed."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import upgrade

from config import TestingConfig
from helpdesk import create_app
from helpdesk.extensions import db
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)

WHEN = datetime(2026, 11, 2, 5, 30, tzinfo=UTC)
T = sa.table  # lightweight, typed views of the tables as of revision 0007
districts = T("districts", sa.column("id"), sa.column("state_id"), sa.column("name"))
blocks = T(
    "blocks", sa.column("id"), sa.column("code"), sa.column("name"), sa.column("district_id")
)
users = T(
    "users",
    *(sa.column(n) for n in ("id", "email", "name", "role", "password_hash", "block_id", "active")),
    *(sa.column(n, sa.JSON) for n in ("languages", "skills", "states")),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
contacts = T(
    "contacts",
    *(sa.column(n) for n in ("id", "name", "phone", "block_id")),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
tickets = T(
    "tickets",
    *(sa.column(n) for n in ("id", "subject", "description", "status", "priority", "channel")),
    *(
        sa.column(n)
        for n in ("language", "category_id", "block_id", "requester_id", "created_by_id")
    ),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("sla_breached", sa.JSON),
)
messages = T(
    "messages",
    *(sa.column(n) for n in ("id", "ticket_id", "contact_id", "body", "internal", "channel")),
    sa.column("automatic"),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
texts = T(
    "sms_messages",
    *(sa.column(n) for n in ("id", "direction", "phone", "text", "ticket_id", "message_id")),
    sa.column("status"),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
calls = T(
    "calls",
    *(
        sa.column(n)
        for n in ("id", "call_id", "from_number", "direction", "contact_id", "ticket_id")
    ),
    sa.column("status"),
    sa.column("started_at", sa.DateTime(timezone=True)),
    sa.column("events_seen", sa.JSON),
)


def _history(conn) -> None:
    states = dict(conn.execute(sa.text("SELECT code, id FROM states")).all())
    category = conn.execute(sa.text("SELECT id FROM categories LIMIT 1")).scalar_one()
    conn.execute(districts.insert(), [{"id": 1, "state_id": states["IN-JH"], "name": "W"}])
    conn.execute(
        blocks.insert(),
        [{"id": n, "code": f"B{n}", "name": f"Block {n}", "district_id": 1} for n in (1, 2, 3)],
    )
    person = {"password_hash": "x", "active": True, "created_at": WHEN}
    person |= {"languages": [], "skills": [], "states": []}
    conn.execute(
        users.insert(),
        [
            person
            | {"id": 1, "email": "a@x.org", "name": "Agent", "role": "agent", "block_id": None},
            person | {"id": 2, "email": "b@x.org", "name": "BRC 1", "role": "brc", "block_id": 1},
        ],
    )
    conn.execute(
        contacts.insert(),
        [
            {
                "id": 1,
                "name": "Sunita",
                "phone": "+919876543210",
                "block_id": 2,
                "created_at": WHEN,
            },
            {
                "id": 2,
                "name": "Ravi",
                "phone": "+919812345678",
                "block_id": None,
                "created_at": WHEN,
            },
            {
                "id": 3,
                "name": "Nobody",
                "phone": "+919400000001",
                "block_id": None,
                "created_at": WHEN,
            },
            {
                "id": 4,
                "name": "Texter",
                "phone": "+919400000002",
                "block_id": None,
                "created_at": WHEN,
            },
            {"id": 5, "name": "Moved", "phone": "+919400000003", "block_id": 3, "created_at": WHEN},
        ],
    )
    base = {"subject": "S", "description": "D", "status": "open", "priority": "normal"}
    base |= {"language": "hi", "category_id": category, "created_at": WHEN, "updated_at": WHEN}
    base |= {"sla_breached": []}
    conn.execute(
        tickets.insert(),
        [
            # Sunita: an agent's ticket in block 2, BRC 1's ticket naming her in block 1, an
            # agent's in block 3.
            base
            | {"id": 1, "block_id": 2, "requester_id": 1, "created_by_id": 1, "channel": "phone"},
            base
            | {"id": 2, "block_id": 1, "requester_id": 1, "created_by_id": 2, "channel": "api"},
            base
            | {"id": 3, "block_id": 3, "requester_id": 1, "created_by_id": 1, "channel": "phone"},
            base
            | {"id": 4, "block_id": 1, "requester_id": 2, "created_by_id": 2, "channel": "web"},
            base
            | {"id": 5, "block_id": 1, "requester_id": 4, "created_by_id": 2, "channel": "sms"},
            base
            | {"id": 6, "block_id": 2, "requester_id": 5, "created_by_id": 1, "channel": "phone"},
        ],
    )
    note = {"internal": False, "channel": "sms", "automatic": False, "created_at": WHEN}
    conn.execute(
        messages.insert(),
        [
            note | {"id": 1, "ticket_id": 1, "contact_id": 1, "body": "on hers"},
            note | {"id": 2, "ticket_id": 2, "contact_id": 1, "body": "landed on BRC 1's"},
        ],
    )
    conn.execute(
        calls.insert(),
        [
            {
                "id": 1,
                "call_id": "c-1",
                "from_number": "+919876543210",
                "direction": "in",
                "contact_id": 1,
                "ticket_id": 2,
                "status": "ended",
                "started_at": WHEN,
                "events_seen": [],
            }
        ],
    )


def _advance_contact_ids(conn) -> None:
    """Rows above were written with explicit ids: PostgreSQL's sequence must move past them."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('contacts', 'id'), 100)"))


def _texts(conn) -> None:
    text = {"direction": "in", "text": "t", "status": "received", "created_at": WHEN}
    conn.execute(
        texts.insert(),
        [
            # Texter's text opened ticket 5 (BRC 1 has the number too, so BRC 1 "created" it).
            text | {"id": 1, "phone": "+919400000002", "ticket_id": 5, "message_id": None},
            # Sunita's text that landed on BRC 1's ticket naming her confirms nothing there.
            text | {"id": 2, "phone": "+919876543210", "ticket_id": 2, "message_id": 2},
        ],
    )


def test_contacts_are_split_per_block_and_confirmed_from_their_history(empty_database_url):  # noqa: F811
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config)
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as conn:
            _history(conn)
            _texts(conn)
            _advance_contact_ids(conn)
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT id, phone, block_id, phone_confirmed FROM contacts ORDER BY id")
            ).all()
            requester = dict(conn.execute(sa.text("SELECT id, requester_id FROM tickets")).all())
            message_contact = dict(
                conn.execute(sa.text("SELECT id, contact_id FROM messages")).all()
            )
            call_contact = conn.execute(sa.text("SELECT contact_id FROM calls")).scalar_one()
        db.engine.dispose()
    by_id = {r.id: (r.phone, r.block_id, bool(r.phone_confirmed)) for r in rows}
    assert by_id[1] == ("+919876543210", 2, True)
    assert by_id[2] == ("+919812345678", 1, False)  # only BRC staff typed it in
    assert by_id[3] == ("+919400000001", None, False)  # no tickets: block unknown
    assert by_id[4] == ("+919400000002", 1, True)  # it texted in
    assert by_id[5] == ("+919400000003", 2, True)  # moved to its tickets' block
    copies = {block: cid for cid, (phone, block, _) in by_id.items() if cid > 5}
    assert set(copies) == {1, 3}
    assert by_id[copies[1]] == ("+919876543210", 1, False)  # only BRC 1's ticket
    assert by_id[copies[3]] == ("+919876543210", 3, True)
    assert requester == {1: 1, 2: copies[1], 3: copies[3], 4: 2, 5: 4, 6: 5}
    assert message_contact == {1: 1, 2: copies[1]}
    assert call_contact == copies[1]
