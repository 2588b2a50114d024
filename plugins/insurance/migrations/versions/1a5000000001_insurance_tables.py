"""insurance tables

Revision ID: 1a5000000001
Revises: 
Create Date: 2026-11-24 16:10:44.291736
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '1a5000000001'
down_revision = None
branch_labels = ('insurance',)
depends_on = 'c0de00000001'


def upgrade():
    op.create_table('insurance_policy',
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('product', sa.String(length=120), nullable=False),
    sa.Column('premium', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_insurance_policy_agent_id_user_account')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_insurance_policy_customer_id_customer')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_insurance_policy_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_policy')),
    sa.UniqueConstraint('number', name=op.f('uq_insurance_policy_number'))
    )
    with op.batch_alter_table('insurance_policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_policy_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_policy_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_policy_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_policy_end_date'), ['end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_policy_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_policy_team_id'), ['team_id'], unique=False)



def downgrade():
    with op.batch_alter_table('insurance_policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_policy_team_id'))
        batch_op.drop_index(batch_op.f('ix_insurance_policy_status'))
        batch_op.drop_index(batch_op.f('ix_insurance_policy_end_date'))
        batch_op.drop_index(batch_op.f('ix_insurance_policy_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_insurance_policy_customer_id'))
        batch_op.drop_index(batch_op.f('ix_insurance_policy_agent_id'))

    op.drop_table('insurance_policy')
