"""report cells: work orders added up in advance for the SLA report

A dispatcher's SLA report over a year read and added up ~250,000 orders
per request (0.7 s on SQLite at 500,000 orders). The cells (see
plugins/service_dispatch/services/report_cells) hold the orders added up by
the day they were opened, product and status — those whose figures no
longer depend on the time of asking — and the visits by the day they
checked in and engineer. The orders still pending (a deadline nobody met
yet) are read along the new partial index on created_at. Existing orders
are added up here.

Revision ID: 5e7100000009
Revises: 5e7100000008
Create Date: 2026-12-05 07:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5e7100000009'
down_revision = '5e7100000008'
branch_labels = None
depends_on = None

ORDERS = "service_dispatch_work_order"
CELLS = "service_dispatch_report_cell"
#: models.work_order.PENDING_SQL as it was written here
PENDING = ("(responded_at IS NULL AND status <> 'cancelled' AND respond_by IS NOT NULL)"
           " OR (status NOT IN ('completed', 'closed', 'cancelled') AND resolve_by IS NOT NULL)")
COUNTS = ['orders', 'response_met', 'response_breached', 'resolution_met',
          'resolution_breached', 'responded']
MORE_COUNTS = ['first_fix', 'repeat', 'score_1', 'score_2', 'score_3', 'score_4', 'score_5']


def upgrade():
    op.create_table(
        CELLS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('product', sa.String(length=120), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=True),
        sa.Column('engineer_id', sa.Integer(), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.Column('respond_ms', sa.BigInteger(), nullable=False),
        sa.Column('resolve_ms', sa.BigInteger(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in MORE_COUNTS),
        sa.Column('on_site_ms', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_report_cell')),
        sa.UniqueConstraint('key', name=op.f('uq_service_dispatch_report_cell_key')))
    op.create_index('ix_service_dispatch_report_cell_kind_day', CELLS, ['kind', 'day'],
                    unique=False)
    op.create_index('ix_service_dispatch_work_order_pending', ORDERS, ['created_at'],
                    unique=False, sqlite_where=sa.text(PENDING),
                    postgresql_where=sa.text(PENDING))
    _add_up_existing_orders()


def _add_up_existing_orders():
    from core.api import UTCDateTime
    from plugins.service_dispatch.services.report_cells import cell_rows, contributions

    bind = op.get_bind()
    # the columns of report_cells.COLUMNS, in that order
    order = sa.table(
        ORDERS, sa.column('id'), sa.column('created_at', UTCDateTime()), sa.column('product'),
        sa.column('status'), sa.column('deleted_at', UTCDateTime()),
        sa.column('respond_by', UTCDateTime()), sa.column('responded_at', UTCDateTime()),
        sa.column('resolve_by', UTCDateTime()), sa.column('completed_at', UTCDateTime()),
        sa.column('reopen_count'), sa.column('repeat_of_id'), sa.column('engineer_id'),
        sa.column('checked_in_at', UTCDateTime()), sa.column('checked_out_at', UTCDateTime()),
        sa.column('labour_minutes'))
    revisit = sa.table('service_dispatch_revisit', sa.column('work_order_id'), sa.column('score'))
    rows = cell_rows(contributions(bind.execute(
        sa.select(*order.c, revisit.c.score)
        .select_from(order.outerjoin(revisit, revisit.c.work_order_id == order.c.id)))))
    cell = sa.table(CELLS, *(sa.column(name) for name in rows[0])) if rows else None
    for chunk in range(0, len(rows), 5_000):
        bind.execute(cell.insert(), rows[chunk:chunk + 5_000])


def downgrade():
    op.drop_index('ix_service_dispatch_work_order_pending', table_name=ORDERS,
                  sqlite_where=sa.text(PENDING), postgresql_where=sa.text(PENDING))
    op.drop_index('ix_service_dispatch_report_cell_kind_day', table_name=CELLS)
    op.drop_table(CELLS)
