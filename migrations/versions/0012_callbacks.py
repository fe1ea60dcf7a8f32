"""callbacks for missed calls; when a call's requester came back (first-contact resolution)

Revision ID: 0012
Revises: 0014

A missed inbound call opens a callback for its number (one open callback per number:
a partial unique index). No backfill: calls missed before this revision owe nothing.

``calls.followed_up_at``: when the requester next came back on an inbound call's ticket (a
later inbound call logged on it, or a public reply from the requester's side). Backfilled
from the calls and messages already there, the earliest of both.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OPEN_CALLBACK = sa.text("status = 'open'")
#: the call report's covering index (PostgreSQL; SQLite indexes the key columns only)
REPORT_COLUMNS = [
    "answered_at",
    "ended_at",
    "answered_by_id",
    "ticket_id",
    "duration_seconds",
    "followed_up_at",
]

LATER_CALL = """(SELECT MIN(later.started_at) FROM calls AS later
    WHERE later.ticket_id = calls.ticket_id AND later.direction = 'in'
      AND later.started_at > calls.started_at)"""
LATER_REPLY = """(SELECT MIN(m.created_at) FROM messages AS m
    LEFT OUTER JOIN users AS u ON u.id = m.author_id
    WHERE m.ticket_id = calls.ticket_id AND m.internal = false AND m.automatic = false
      AND (m.author_id IS NULL OR u.role = 'brc') AND m.created_at > calls.started_at)"""


def upgrade():
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("followed_up_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_calls_direction_started_at",
            ["direction", "started_at"],
            unique=False,
            postgresql_include=REPORT_COLUMNS,
        )
    inbound_on_a_ticket = "direction = 'in' AND ticket_id IS NOT NULL"
    op.execute(f"UPDATE calls SET followed_up_at = {LATER_CALL} WHERE {inbound_on_a_ticket}")
    op.execute(
        f"UPDATE calls SET followed_up_at = {LATER_REPLY} WHERE {inbound_on_a_ticket} "
        f"AND {LATER_REPLY} IS NOT NULL "
        f"AND (followed_up_at IS NULL OR followed_up_at > {LATER_REPLY})"
    )
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("missed_calls", sa.Integer(), nullable=False),
        sa.Column("first_missed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_missed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_call_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("closed_by_call_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by_call_id"],
            ["calls.id"],
            name=op.f("fk_callbacks_closed_by_call_id_calls"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"],
            ["users.id"],
            name=op.f("fk_callbacks_done_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["last_call_id"],
            ["calls.id"],
            name=op.f("fk_callbacks_last_call_id_calls"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callbacks")),
    )
    with op.batch_alter_table("callbacks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_callbacks_status_first_missed_at", ["status", "first_missed_at"], unique=False
        )
        batch_op.create_index(
            "uq_callbacks_open_phone",
            ["phone"],
            unique=True,
            postgresql_where=OPEN_CALLBACK,
            sqlite_where=OPEN_CALLBACK,
        )


def downgrade():
    with op.batch_alter_table("callbacks", schema=None) as batch_op:
        batch_op.drop_index("uq_callbacks_open_phone")
        batch_op.drop_index("ix_callbacks_status_first_missed_at")
    op.drop_table("callbacks")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("ix_calls_direction_started_at")
        batch_op.drop_column("followed_up_at")
