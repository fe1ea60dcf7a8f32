"""e-mail channel: the mail log (email_messages) and contacts' e-mail addresses

Revision ID: 0014
Revises: 0011
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.create_index(batch_op.f("ix_contacts_email"), ["email"], unique=False)

    op.create_table(
        "email_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("rfc_message_id", sa.String(length=255), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("sender", sa.String(length=254), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("in_reply_to", sa.String(length=255), nullable=True),
        sa.Column("reference_ids", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("auto_submitted", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_email_messages_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_email_messages_ticket_id_tickets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_messages")),
        sa.UniqueConstraint("rfc_message_id", name=op.f("uq_email_messages_rfc_message_id")),
    )
    with op.batch_alter_table("email_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_messages_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_email_messages_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(
            "ix_email_messages_sender_created", ["sender", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_email_messages_status_next_attempt", ["status", "next_attempt_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("email_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_email_messages_status_next_attempt")
        batch_op.drop_index("ix_email_messages_sender_created")
        batch_op.drop_index(batch_op.f("ix_email_messages_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_email_messages_message_id"))

    op.drop_table("email_messages")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_email"))
        batch_op.drop_column("email")
