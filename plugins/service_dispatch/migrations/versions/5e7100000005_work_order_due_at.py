"""work order due_at: the next SLA deadline of an open order, indexed for the watchlist

Revision ID: 5e7100000005
Revises: 5e7100000004
Create Date: 2026-11-26 04:50:00.000000

Filled in from the existing rows the way ``models.next_deadline`` keeps it
from now on: ``respond_by`` while nobody has accepted (when it comes first),
else ``resolve_by``; NULL for an order completed, closed or cancelled. The
partial index holds only the open orders.
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '5e7100000005'
down_revision = '5e7100000004'
branch_labels = None
depends_on = None

ORDERS = "service_dispatch_work_order"


def upgrade():
    with op.batch_alter_table(ORDERS, schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', core.models.base.UTCDateTime(timezone=True), nullable=True))
    op.execute(f"""
        UPDATE {ORDERS} SET due_at = CASE
            WHEN status IN ('completed', 'closed', 'cancelled') OR deleted_at IS NOT NULL THEN NULL
            WHEN responded_at IS NULL AND respond_by IS NOT NULL
                 AND (resolve_by IS NULL OR respond_by < resolve_by) THEN respond_by
            ELSE resolve_by END""")
    op.create_index('ix_service_dispatch_work_order_due_at', ORDERS, ['due_at'], unique=False,
                    sqlite_where=sa.text('due_at IS NOT NULL'),
                    postgresql_where=sa.text('due_at IS NOT NULL'))


def downgrade():
    op.drop_index('ix_service_dispatch_work_order_due_at', table_name=ORDERS,
                  sqlite_where=sa.text('due_at IS NOT NULL'),
                  postgresql_where=sa.text('due_at IS NOT NULL'))
    with op.batch_alter_table(ORDERS, schema=None) as batch_op:
        batch_op.drop_column('due_at')
