"""deal furthest stage position (kept by stage moves) and the report index

The funnel counts deals by how far they got; reading that from each deal's
stage history does not scale to a million deals, so the deal carries it.
Existing deals are filled in from their history.

Every report query goes through access.visible_deals, whose ``customer_id IN
(visible customers)`` the planners drive from; ix_sales_deal_report starts
with customer_id and holds every column the reports read, so a report reads
only index entries of the visible customers' deals (measured in
bench/results.md, "Sales reports").

Revision ID: 5a1e50000005
Revises: 5a1e50000004
Create Date: 2026-11-25 22:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5a1e50000005'
down_revision = '5a1e50000004'
branch_labels = None
depends_on = None

REPORT_COLUMNS = ['customer_id', 'stage_id', 'closed_at', 'pipeline_id', 'furthest_position',
                  'owner_id', 'team_id', 'currency', 'amount', 'created_at', 'expected_close',
                  'deleted_at', 'lost_reason']


def upgrade():
    with op.batch_alter_table('sales_deal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('furthest_position', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        "UPDATE sales_deal SET furthest_position = COALESCE(("
        " SELECT max(s.position) FROM sales_stage_change c"
        " JOIN sales_stage s ON s.id = c.to_stage_id"
        " WHERE c.deal_id = sales_deal.id AND s.outcome <> 'lost'), 0)")
    with op.batch_alter_table('sales_deal', schema=None) as batch_op:
        batch_op.create_index('ix_sales_deal_report', REPORT_COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table('sales_deal', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_deal_report')
        batch_op.drop_column('furthest_position')
