"""report cells: deals added up in advance for the funnel and forecast

Someone who sees every deal (an admin) had the funnel, forecast and KPIs
read every deal: 0.6-2.3 s at 1,000,000 deals. The cells (see
plugins/sales/services/report_cells.py) hold the deals added up by month created and
what the funnel and forecast group by; the months a period covers in part
are read from the deals along ix_sales_deal_created_report (created first,
then every column those reports read). Existing deals are added up here.

Revision ID: 5a1e50000010
Revises: 5a1e50000009
Create Date: 2026-11-26 07:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5a1e50000010'
down_revision = '5a1e50000009'
branch_labels = None
depends_on = None

CREATED_COLUMNS = ['created_at', 'pipeline_id', 'stage_id', 'furthest_position', 'currency',
                   'lost_reason', 'amount', 'closed_at', 'expected_close', 'owner_id', 'team_id',
                   'deleted_at', 'customer_id']


def upgrade():
    op.create_table(
        'sales_report_cell',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=320), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('pipeline_id', sa.Integer(), nullable=False),
        sa.Column('stage_id', sa.Integer(), nullable=False),
        sa.Column('furthest_position', sa.Integer(), nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('lost_reason', sa.String(length=200), nullable=True),
        sa.Column('target_month', sa.Date(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('deals', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('cycle_seconds', sa.BigInteger(), nullable=False),
        sa.Column('closed', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_report_cell')),
        sa.UniqueConstraint('key', name=op.f('uq_sales_report_cell_key')))
    op.create_index('ix_sales_report_cell_kind', 'sales_report_cell',
                    ['kind', 'pipeline_id', 'month'], unique=False)
    op.create_index('ix_sales_deal_created_report', 'sales_deal', CREATED_COLUMNS, unique=False)
    _add_up_existing_deals()


def _add_up_existing_deals():
    from core.api import UTCDateTime
    from plugins.sales.services.report_cells import cell_rows, contributions

    bind = op.get_bind()
    # the columns of report_cells.COLUMNS, in that order
    deal = sa.table('sales_deal', sa.column('id'), sa.column('created_at', UTCDateTime()),
                    sa.column('pipeline_id'), sa.column('stage_id'),
                    sa.column('furthest_position'), sa.column('currency'),
                    sa.column('lost_reason'), sa.column('expected_close', sa.Date()),
                    sa.column('closed_at', UTCDateTime()), sa.column('amount', sa.Numeric(14, 2)),
                    sa.column('owner_id'), sa.column('team_id'),
                    sa.column('deleted_at', UTCDateTime()), sa.column('customer_id'))
    stage = sa.table('sales_stage', sa.column('id'), sa.column('outcome'))
    outcomes = dict(bind.execute(sa.select(stage.c.id, stage.c.outcome)).all())
    rows = cell_rows(contributions(bind.execute(sa.select(*deal.c)), outcomes))
    cell = sa.table('sales_report_cell', *(sa.column(name) for name in rows[0])) if rows else None
    for chunk in range(0, len(rows), 5_000):
        bind.execute(cell.insert(), rows[chunk:chunk + 5_000])


def downgrade():
    op.drop_index('ix_sales_deal_created_report', table_name='sales_deal')
    op.drop_index('ix_sales_report_cell_kind', table_name='sales_report_cell')
    op.drop_table('sales_report_cell')
