"""monthly sales targets and commission rules

Revision ID: 5a1e50000004
Revises: 5a1e50000003
Create Date: 2026-11-25 22:20:00.000000
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '5a1e50000004'
down_revision = '5a1e50000003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sales_target',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_sales_target_team_id_team')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sales_target_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_target')),
    sa.UniqueConstraint('month', 'user_id', 'team_id', name=op.f('uq_sales_target_month_user_id_team_id'))
    )
    with op.batch_alter_table('sales_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_target_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_target_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_target_user_id'), ['user_id'], unique=False)

    op.create_table('sales_commission_rule',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('pipeline_id', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pipeline_id'], ['sales_pipeline.id'], name=op.f('fk_sales_commission_rule_pipeline_id_sales_pipeline')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_commission_rule'))
    )
    with op.batch_alter_table('sales_commission_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_commission_rule_pipeline_id'), ['pipeline_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sales_commission_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_commission_rule_pipeline_id'))

    op.drop_table('sales_commission_rule')
    with op.batch_alter_table('sales_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_target_user_id'))
        batch_op.drop_index(batch_op.f('ix_sales_target_team_id'))
        batch_op.drop_index(batch_op.f('ix_sales_target_month'))

    op.drop_table('sales_target')
