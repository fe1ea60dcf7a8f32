"""notification digests: SLA alerts folded into one "N tickets breached" tray entry

Revision ID: 0013
Revises: 0011

``notifications.digest_id`` points a folded SLA alert at the digest that stands for it in
the tray; folded alerts are neither listed nor counted.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_notifications_digest_id"), ["digest_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_digest_id_notifications"),
            "notifications",
            ["digest_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_notifications_digest_id_notifications"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_notifications_digest_id"))
        batch_op.drop_column("digest_id")
