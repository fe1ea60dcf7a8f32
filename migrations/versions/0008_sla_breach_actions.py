"""SLA policy actions on breach (placeholder: filled in by the change that needs it)

Revision ID: 0008
Revises: 0007
"""

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
