"""customer pool and hidden fields

Revision ID: c0de00000003
Revises: c0de00000002
Create Date: 2026-11-24 16:32:42.654514
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = 'c0de00000003'
down_revision = 'c0de00000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pool_rule',
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('claim_limit', sa.Integer(), nullable=False),
    sa.Column('cool_off_days', sa.Integer(), nullable=False),
    sa.Column('recycle_after_days', sa.Integer(), nullable=True),
    sa.Column('remind_days_before', sa.Integer(), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_pool_rule_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_rule')),
    sa.UniqueConstraint('team_id', name=op.f('uq_pool_rule_team_id'))
    )
    op.create_table('pool_release',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('released_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_pool_release_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_pool_release_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_release'))
    )
    with op.batch_alter_table('pool_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pool_release_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_pool_release_user_customer', ['user_id', 'customer_id'], unique=False)

    with op.batch_alter_table('role', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_fields', sa.JSON(), nullable=False, server_default='[]'))



def downgrade():
    with op.batch_alter_table('role', schema=None) as batch_op:
        batch_op.drop_column('hidden_fields')

    with op.batch_alter_table('pool_release', schema=None) as batch_op:
        batch_op.drop_index('ix_pool_release_user_customer')
        batch_op.drop_index(batch_op.f('ix_pool_release_customer_id'))

    op.drop_table('pool_release')
    op.drop_table('pool_rule')
