"""canned responses; merged tickets; enterprises and the tickets about them

Revision ID: 0015
Revises: 0011

``canned_responses``: replies written once, shared (no owner) or one user's own, with a
usage count. ``enterprises``: the programme's unit, by its MIS code, in one block, run by a
contact of that block. ``tickets.merged_into_id``: the ticket a duplicate was merged into;
``tickets.enterprise_id``: the enterprise a ticket is about. No backfill: every new column
is empty for existing rows.
"""

from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("activity", sa.String(length=120), nullable=False),
        sa.Column("block_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["block_id"], ["blocks.id"], name=op.f("fk_enterprises_block_id_blocks")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["contacts.id"], name=op.f("fk_enterprises_owner_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprises")),
        sa.UniqueConstraint("code", name=op.f("uq_enterprises_code")),
    )
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprises_block_id"), ["block_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprises_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "canned_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("usage_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_canned_responses_category_id_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_canned_responses_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_responses")),
    )
    with op.batch_alter_table("canned_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_canned_responses_language"), ["language"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_canned_responses_owner_id"), ["owner_id"], unique=False
        )

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("enterprise_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_tickets_merged_into_id"), ["merged_into_id"])
        batch_op.create_index(batch_op.f("ix_tickets_enterprise_id"), ["enterprise_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_merged_into_id_tickets"), "tickets", ["merged_into_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_enterprise_id_enterprises"),
            "enterprises",
            ["enterprise_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_tickets_enterprise_id_enterprises"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_tickets_merged_into_id_tickets"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_tickets_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_tickets_merged_into_id"))
        batch_op.drop_column("enterprise_id")
        batch_op.drop_column("merged_into_id")
    op.drop_table("canned_responses")
    op.drop_table("enterprises")
