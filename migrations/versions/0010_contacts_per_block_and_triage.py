"""contacts per block (one per number and block), confirmed numbers; tickets without a block

Revision ID: 0010
Revises: 0007

A contact belongs to a block: the same number may be on file in several blocks, each a
separate contact, so a number BRC staff type in never reaches another block's caller.

Backfill, from the tickets (contacts without tickets keep the block they have, often none):

- A contact whose tickets are in several blocks is split: it keeps the block it was
  recorded with when it has tickets there (else the block of its first ticket); for every
  other block a copy takes over that block's tickets, the texts the caller wrote on them
  and the calls logged on them.
- ``phone_confirmed``: the contact has a ticket BRC staff did not type in: opened by
  call-centre staff (or with no user), or by a text from its number. Calls and texts that
  landed on a ticket BRC staff opened confirm nothing: they may be what the old shared
  contact misdirected.

``tickets.block_id`` becomes nullable: a text from an unknown number opens a ticket without
a block, for triage. The downgrade fails while such tickets, or one number in two blocks,
exist.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UNPLACED = sa.text("block_id IS NULL")


def upgrade():
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone_confirmed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.drop_constraint("uq_contacts_phone", type_="unique")

    _place_contacts_in_their_tickets_blocks(op.get_bind())

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_contacts_phone_block"), ["phone", "block_id"]
        )
        batch_op.create_index(
            "uq_contacts_phone_unplaced",
            ["phone"],
            unique=True,
            postgresql_where=UNPLACED,
            sqlite_where=UNPLACED,
        )

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.alter_column("block_id", existing_type=sa.Integer(), nullable=True)


def _place_contacts_in_their_tickets_blocks(conn):
    contacts = sa.table(
        "contacts",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("phone", sa.String),
        sa.column("block_id", sa.Integer),
        sa.column("enterprise_id", sa.String),
        sa.column("language", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("phone_confirmed", sa.Boolean),
    )
    tickets = sa.table(
        "tickets",
        sa.column("id", sa.Integer),
        sa.column("block_id", sa.Integer),
        sa.column("requester_id", sa.Integer),
        sa.column("created_by_id", sa.Integer),
        sa.column("channel", sa.String),
    )
    messages = sa.table(
        "messages", sa.column("ticket_id", sa.Integer), sa.column("contact_id", sa.Integer)
    )
    calls = sa.table(
        "calls", sa.column("ticket_id", sa.Integer), sa.column("contact_id", sa.Integer)
    )
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("role", sa.String))
    texts = sa.table(
        "sms_messages",
        sa.column("ticket_id", sa.Integer),
        sa.column("message_id", sa.Integer),
        sa.column("direction", sa.String),
        sa.column("phone", sa.String),
    )
    own = tickets.c.requester_id == contacts.c.id

    # 1. A contact with no ticket in its block takes the block of its first ticket.
    first_block = (
        sa.select(tickets.c.block_id).where(own).order_by(tickets.c.id).limit(1).scalar_subquery()
    )
    in_its_block = sa.exists().where(own, tickets.c.block_id == contacts.c.block_id)
    conn.execute(
        contacts.update()
        .where(sa.exists().where(own), sa.not_(in_its_block))
        .values(block_id=first_block)
    )

    # 2. Tickets of the same contact in other blocks move to a copy of it in each block.
    others = (
        conn.execute(
            sa.select(contacts, tickets.c.block_id.label("other_block"))
            .join(tickets, own)
            .where(tickets.c.block_id != contacts.c.block_id)
            .distinct()
            .order_by(contacts.c.id, tickets.c.block_id)
        )
        .mappings()
        .all()
    )
    for row in others:
        copy_id = conn.execute(
            contacts.insert()
            .values(
                name=row["name"],
                phone=row["phone"],
                block_id=row["other_block"],
                enterprise_id=row["enterprise_id"],
                language=row["language"],
                created_at=row["created_at"],
                phone_confirmed=False,
            )
            .returning(contacts.c.id)
        ).scalar_one()
        moved = sa.select(tickets.c.id).where(
            tickets.c.requester_id == row["id"], tickets.c.block_id == row["other_block"]
        )
        conn.execute(
            messages.update()
            .where(messages.c.contact_id == row["id"], messages.c.ticket_id.in_(moved))
            .values(contact_id=copy_id)
        )
        conn.execute(
            calls.update()
            .where(calls.c.contact_id == row["id"], calls.c.ticket_id.in_(moved))
            .values(contact_id=copy_id)
        )
        conn.execute(
            tickets.update()
            .where(tickets.c.requester_id == row["id"], tickets.c.block_id == row["other_block"])
            .values(requester_id=copy_id)
        )

    # 3. Numbers that did not come from BRC staff's typing are confirmed.
    creator_role = (
        sa.select(users.c.role).where(users.c.id == tickets.c.created_by_id).scalar_subquery()
    )
    opened_by_its_text = (
        sa.exists()
        .where(
            texts.c.ticket_id == tickets.c.id,
            texts.c.direction == "in",
            texts.c.message_id.is_(None),
            texts.c.phone == contacts.c.phone,
        )
        .correlate_except(texts)
    )
    not_typed_by_brc = sa.exists().where(
        own,
        sa.or_(tickets.c.created_by_id.is_(None), creator_role != "brc", opened_by_its_text),
    )
    conn.execute(contacts.update().where(not_typed_by_brc).values(phone_confirmed=True))


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.alter_column("block_id", existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_contacts_phone_unplaced", postgresql_where=UNPLACED, sqlite_where=UNPLACED
        )
        batch_op.drop_constraint(batch_op.f("uq_contacts_phone_block"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_contacts_phone"), ["phone"])
        batch_op.drop_column("phone_confirmed")
