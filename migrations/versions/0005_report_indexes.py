"""indexes for SLA reports and the open queue (placeholder: filled in by the change that needs it)

Revision ID: 0005
Revises: 0004
"""

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
