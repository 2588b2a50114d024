"""KPIs: customers' wins kept with the deals, and deals by close time

The KPIs ask of every deal closed in the period whether it was its
customer's first win and whether a lost deal's customer is valuable (won
enough in one currency): two look-ups into the customer's won deals per
closed deal. ``sales_customer_wins`` keeps both answers per customer
(plugins/sales/services/report_cells.py keeps it with the deals); existing won deals
are added up here.

Along the plain index on closed_at, each deal closed in the period was then
read from the table (the admin's last 90 days at 1,000,000 deals: 64,000
random reads); ix_sales_deal_closed_report holds what the KPI query needs
and replaces it.

Revision ID: 5a1e50000011
Revises: 5a1e50000010
Create Date: 2026-11-26 08:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

import core.models.base


revision = '5a1e50000011'
down_revision = '5a1e50000010'
branch_labels = None
depends_on = None

COLUMNS = ['closed_at', 'stage_id', 'owner_id', 'currency', 'amount', 'customer_id', 'deleted_at',
           'pipeline_id', 'team_id']


def upgrade():
    op.create_table(
        'sales_customer_wins',
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('first_won_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('best_won_cents', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.id'],
                                name=op.f('fk_sales_customer_wins_customer_id_customer')),
        sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_sales_customer_wins')))
    op.execute(
        "INSERT INTO sales_customer_wins (customer_id, first_won_at, best_won_cents)"
        " SELECT customer_id, min(first_won_at), max(won_cents) FROM ("
        "  SELECT d.customer_id, d.currency, min(d.closed_at) AS first_won_at,"
        "   CAST(round(sum(d.amount) * 100) AS BIGINT) AS won_cents"
        "  FROM sales_deal d JOIN sales_stage s ON s.id = d.stage_id"
        "  WHERE s.outcome = 'won' AND d.deleted_at IS NULL AND d.closed_at IS NOT NULL"
        "  GROUP BY d.customer_id, d.currency) AS per_currency"
        " GROUP BY customer_id")
    op.drop_index('ix_sales_deal_closed_at', table_name='sales_deal')
    op.create_index('ix_sales_deal_closed_report', 'sales_deal', COLUMNS, unique=False)


def downgrade():
    op.drop_index('ix_sales_deal_closed_report', table_name='sales_deal')
    op.create_index('ix_sales_deal_closed_at', 'sales_deal', ['closed_at'], unique=False)
    op.drop_table('sales_customer_wins')
