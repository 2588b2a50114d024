"""deal list index: (updated_at, id), for the deals page's newest-first pages

Revision ID: 5a1e50000009
Revises: 5a1e50000008
Create Date: 2026-11-26 05:40:00.000000
"""
from alembic import op


revision = '5a1e50000009'
down_revision = '5a1e50000008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_sales_deal_updated', 'sales_deal', ['updated_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_sales_deal_updated', table_name='sales_deal')
