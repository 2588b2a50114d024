"""work order lifecycle, history and engineers

Revision ID: 5e7100000002
Revises: 5e7100000001
Create Date: 2026-11-25 22:28:59.628339
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '5e7100000002'
down_revision = '5e7100000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_dispatch_engineer',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_service_dispatch_engineer_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_engineer')),
    sa.UniqueConstraint('user_id', name=op.f('uq_service_dispatch_engineer_user_id'))
    )
    op.create_table('service_dispatch_work_order_event',
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_service_dispatch_work_order_event_user_id_user_account')),
    sa.ForeignKeyConstraint(['work_order_id'], ['service_dispatch_work_order.id'], name=op.f('fk_service_dispatch_work_order_event_work_order_id_service_dispatch_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_work_order_event'))
    )
    with op.batch_alter_table('service_dispatch_work_order_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_dispatch_work_order_event_work_order_id'), ['work_order_id'], unique=False)

    with op.batch_alter_table('service_dispatch_work_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('product', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('serial_number', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('appointment_at', core.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', core.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('accepted_at', core.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('departed_at', core.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('checked_in_at', core.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('checked_out_at', core.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', core.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('diagnosis', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('work_done', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('labour_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('charges', sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('override_note', sa.String(length=300), nullable=True))
        batch_op.create_index(batch_op.f('ix_service_dispatch_work_order_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_service_dispatch_work_order_engineer_appointment', ['engineer_id', 'appointment_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_dispatch_work_order_priority'), ['priority'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_service_dispatch_work_order_contact_id_contact'), 'contact', ['contact_id'], ['id'])



def downgrade():
    with op.batch_alter_table('service_dispatch_work_order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_service_dispatch_work_order_contact_id_contact'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_service_dispatch_work_order_priority'))
        batch_op.drop_index('ix_service_dispatch_work_order_engineer_appointment')
        batch_op.drop_index(batch_op.f('ix_service_dispatch_work_order_contact_id'))
        batch_op.drop_column('override_note')
        batch_op.drop_column('confirmed_by')
        batch_op.drop_column('charges')
        batch_op.drop_column('labour_minutes')
        batch_op.drop_column('work_done')
        batch_op.drop_column('diagnosis')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('checked_out_at')
        batch_op.drop_column('checked_in_at')
        batch_op.drop_column('departed_at')
        batch_op.drop_column('accepted_at')
        batch_op.drop_column('assigned_at')
        batch_op.drop_column('appointment_at')
        batch_op.drop_column('serial_number')
        batch_op.drop_column('product')
        batch_op.drop_column('address')
        batch_op.drop_column('contact_id')

    with op.batch_alter_table('service_dispatch_work_order_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_dispatch_work_order_event_work_order_id'))

    op.drop_table('service_dispatch_work_order_event')
    op.drop_table('service_dispatch_engineer')
