"""live console settings and presence (placeholder: filled in by the change that needs it)

Revision ID: 0007
Revises: 0006
"""

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
