"""SLA report figures on tickets, indexes for SLA reports and the open queue

Revision ID: 0005
Revises: 0004

Columns: the business minutes to first response and to resolution (set once met, by
``sla_policies.refresh_sla`` from the same evaluation as the due dates) and one boolean per
breached target, so the reports count and take percentiles with plain GROUP BY.

Indexes, designed for the queries that use them:

- ``ix_tickets_open_queue``: a partial index on ``id`` holding open tickets only
  (``new, open, pending, escalated``). The queue's default view is
  ``WHERE status IN (open statuses) ORDER BY id DESC LIMIT 50`` plus its count: both read
  this small index (the count as an index-only scan), however many solved tickets pile up.
- ``ix_tickets_resolved_at``: the trend report counts tickets resolved per week.
- The SLA report filters on ``created_at`` (``ix_tickets_created_at``, already there) and
  reads most columns of the rows it selects; a covering index would duplicate the table.
Existing tickets keep NULL minutes and false flags until their next change (a new install
needs nothing more).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OPEN_QUEUE = sa.text("status IN ('new', 'open', 'pending', 'escalated')")


def upgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_response_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolution_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_response_breached', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('resolution_breached', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_tickets_open_queue', ['id'], unique=False, postgresql_where=OPEN_QUEUE, sqlite_where=OPEN_QUEUE)
        batch_op.create_index('ix_tickets_resolved_at', ['resolved_at'], unique=False)


def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_resolved_at')
        batch_op.drop_index('ix_tickets_open_queue')
        batch_op.drop_column('resolution_breached')
        batch_op.drop_column('first_response_breached')
        batch_op.drop_column('resolution_minutes')
        batch_op.drop_column('first_response_minutes')
