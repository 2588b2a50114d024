"""sales tables

Revision ID: 5a1e50000001
Revises: 
Create Date: 2026-11-24 15:44:02.303009
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '5a1e50000001'
down_revision = None
branch_labels = ('sales',)
depends_on = 'c0de00000001'


def upgrade():

    op.create_table('sales_pipeline',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_pipeline')),
    sa.UniqueConstraint('name', name=op.f('uq_sales_pipeline_name'))
    )
    op.create_table('sales_stage',
    sa.Column('pipeline_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['pipeline_id'], ['sales_pipeline.id'], name=op.f('fk_sales_stage_pipeline_id_sales_pipeline')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_stage'))
    )
    with op.batch_alter_table('sales_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_stage_pipeline_id'), ['pipeline_id'], unique=False)

    op.create_table('sales_deal',
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('pipeline_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('expected_close', sa.Date(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_sales_deal_customer_id_customer')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_sales_deal_owner_id_user_account')),
    sa.ForeignKeyConstraint(['pipeline_id'], ['sales_pipeline.id'], name=op.f('fk_sales_deal_pipeline_id_sales_pipeline')),
    sa.ForeignKeyConstraint(['stage_id'], ['sales_stage.id'], name=op.f('fk_sales_deal_stage_id_sales_stage')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_sales_deal_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_deal'))
    )
    with op.batch_alter_table('sales_deal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_deal_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_deal_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_deal_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_sales_deal_owner_stage', ['owner_id', 'stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_deal_pipeline_id'), ['pipeline_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_deal_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_deal_team_id'), ['team_id'], unique=False)




def downgrade():

    with op.batch_alter_table('sales_deal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_deal_team_id'))
        batch_op.drop_index(batch_op.f('ix_sales_deal_stage_id'))
        batch_op.drop_index(batch_op.f('ix_sales_deal_pipeline_id'))
        batch_op.drop_index('ix_sales_deal_owner_stage')
        batch_op.drop_index(batch_op.f('ix_sales_deal_owner_id'))
        batch_op.drop_index(batch_op.f('ix_sales_deal_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_sales_deal_customer_id'))

    op.drop_table('sales_deal')
    with op.batch_alter_table('sales_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_stage_pipeline_id'))

    op.drop_table('sales_stage')
    op.drop_table('sales_pipeline')

