"""service_dispatch tables

Revision ID: 5e7100000001
Revises: 
Create Date: 2026-11-24 16:10:42.717345
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '5e7100000001'
down_revision = None
branch_labels = ('service_dispatch',)
depends_on = 'c0de00000001'


def upgrade():
    op.create_table('service_dispatch_work_order',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('engineer_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('respond_by', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_service_dispatch_work_order_customer_id_customer')),
    sa.ForeignKeyConstraint(['engineer_id'], ['user_account.id'], name=op.f('fk_service_dispatch_work_order_engineer_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_service_dispatch_work_order_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_work_order')),
    sa.UniqueConstraint('number', name=op.f('uq_service_dispatch_work_order_number'))
    )
    with op.batch_alter_table('service_dispatch_work_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_dispatch_work_order_completed_at'), ['completed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_dispatch_work_order_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_dispatch_work_order_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_dispatch_work_order_engineer_id'), ['engineer_id'], unique=False)
        batch_op.create_index('ix_service_dispatch_work_order_engineer_status', ['engineer_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_dispatch_work_order_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_dispatch_work_order_team_id'), ['team_id'], unique=False)



def downgrade():
    with op.batch_alter_table('service_dispatch_work_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_dispatch_work_order_team_id'))
        batch_op.drop_index(batch_op.f('ix_service_dispatch_work_order_status'))
        batch_op.drop_index('ix_service_dispatch_work_order_engineer_status')
        batch_op.drop_index(batch_op.f('ix_service_dispatch_work_order_engineer_id'))
        batch_op.drop_index(batch_op.f('ix_service_dispatch_work_order_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_service_dispatch_work_order_customer_id'))
        batch_op.drop_index(batch_op.f('ix_service_dispatch_work_order_completed_at'))

    op.drop_table('service_dispatch_work_order')
