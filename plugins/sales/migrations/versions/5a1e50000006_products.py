"""products and deal lines (price, quantity, discount)

Revision ID: 5a1e50000006
Revises: 5a1e50000005
Create Date: 2026-11-25 22:22:58.221476
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '5a1e50000006'
down_revision = '5a1e50000005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sales_product',
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_product')),
    sa.UniqueConstraint('code', name=op.f('uq_sales_product_code'))
    )
    op.create_table('sales_deal_line',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['sales_deal.id'], name=op.f('fk_sales_deal_line_deal_id_sales_deal')),
    sa.ForeignKeyConstraint(['product_id'], ['sales_product.id'], name=op.f('fk_sales_deal_line_product_id_sales_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_deal_line'))
    )
    with op.batch_alter_table('sales_deal_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_deal_line_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_deal_line_product_id'), ['product_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sales_deal_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_deal_line_product_id'))
        batch_op.drop_index(batch_op.f('ix_sales_deal_line_deal_id'))

    op.drop_table('sales_deal_line')
    op.drop_table('sales_product')
