"""commission rules per product

Revision ID: 5a1e50000007
Revises: 5a1e50000006
Create Date: 2026-11-26 00:41:42.389318
"""
from alembic import op
import sqlalchemy as sa


revision = '5a1e50000007'
down_revision = '5a1e50000006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sales_commission_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sales_commission_rule_product_id'), ['product_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_sales_commission_rule_product_id_sales_product'), 'sales_product', ['product_id'], ['id'])



def downgrade():
    with op.batch_alter_table('sales_commission_rule', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sales_commission_rule_product_id_sales_product'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sales_commission_rule_product_id'))
        batch_op.drop_column('product_id')

