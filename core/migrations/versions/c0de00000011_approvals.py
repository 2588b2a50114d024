"""approvals: flows per record type with their steps, the requests records
are submitted in (at most one pending per record) and each approver's task

Revision ID: c0de00000011
Revises: c0de00000010
Create Date: 2026-12-05 07:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = 'c0de00000011'
down_revision = 'c0de00000010'
branch_labels = None
depends_on = None


def _timestamps():
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    ]


def upgrade():
    op.create_table('approval_flow',
    sa.Column('record_type', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('condition', sa.JSON(), nullable=True),
    *_timestamps(),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_flow'))
    )
    op.create_index(op.f('ix_approval_flow_record_type'), 'approval_flow', ['record_type'], unique=False)
    op.create_index(op.f('ix_approval_flow_deleted_at'), 'approval_flow', ['deleted_at'], unique=False)
    op.create_table('approval_step',
    sa.Column('flow_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('approver_kind', sa.String(length=16), nullable=False),
    sa.Column('role_name', sa.String(length=80), nullable=True),
    sa.Column('user_ids', sa.JSON(), nullable=False),
    sa.Column('mode', sa.String(length=8), nullable=False),
    *_timestamps(),
    sa.ForeignKeyConstraint(['flow_id'], ['approval_flow.id'], name=op.f('fk_approval_step_flow_id_approval_flow'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_step')),
    sa.UniqueConstraint('flow_id', 'position', name=op.f('uq_approval_step_flow_id_position'))
    )
    op.create_table('approval_request',
    sa.Column('record_type', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('flow_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    *_timestamps(),
    sa.ForeignKeyConstraint(['flow_id'], ['approval_flow.id'], name=op.f('fk_approval_request_flow_id_approval_flow')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_approval_request_customer_id_customer'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_approval_request_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_request'))
    )
    op.create_index(op.f('ix_approval_request_flow_id'), 'approval_request', ['flow_id'], unique=False)
    op.create_index(op.f('ix_approval_request_customer_id'), 'approval_request', ['customer_id'], unique=False)
    op.create_index(op.f('ix_approval_request_status'), 'approval_request', ['status'], unique=False)
    op.create_index(op.f('ix_approval_request_submitted_by_id'), 'approval_request', ['submitted_by_id'], unique=False)
    op.create_index('ix_approval_request_record', 'approval_request', ['record_type', 'record_id'], unique=False)
    op.create_index(
        'uq_approval_request_pending', 'approval_request', ['record_type', 'record_id'], unique=True,
        sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table('approval_task',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('decided_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delegated_from_id', sa.Integer(), nullable=True),
    *_timestamps(),
    sa.ForeignKeyConstraint(['request_id'], ['approval_request.id'], name=op.f('fk_approval_task_request_id_approval_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['approver_id'], ['user_account.id'], name=op.f('fk_approval_task_approver_id_user_account')),
    sa.ForeignKeyConstraint(['delegated_from_id'], ['user_account.id'], name=op.f('fk_approval_task_delegated_from_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_task'))
    )
    op.create_index(op.f('ix_approval_task_request_id'), 'approval_task', ['request_id'], unique=False)
    op.create_index('ix_approval_task_approver_status', 'approval_task', ['approver_id', 'status'], unique=False)


def downgrade():
    op.drop_table('approval_task')
    op.drop_table('approval_request')
    op.drop_table('approval_step')
    op.drop_table('approval_flow')
