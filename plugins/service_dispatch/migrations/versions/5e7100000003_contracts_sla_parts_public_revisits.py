"""contracts, SLA, calendar, parts, public requests, attachments, revisits

Revision ID: 5e7100000003
Revises: 5e7100000002
Create Date: 2026-11-26 00:38:08.786694
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '5e7100000003'
down_revision = '5e7100000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_dispatch_calendar',
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('workdays', sa.JSON(), nullable=False),
    sa.Column('opens_minute', sa.Integer(), nullable=False),
    sa.Column('closes_minute', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_calendar'))
    )
    op.create_table('service_dispatch_calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_calendar_day')),
    sa.UniqueConstraint('day', name=op.f('uq_service_dispatch_calendar_day_day'))
    )
    op.create_table('service_dispatch_part',
    sa.Column('sku', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_part')),
    sa.UniqueConstraint('sku', name=op.f('uq_service_dispatch_part_sku'))
    )
    op.create_table('service_dispatch_sla_policy',
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('response_hours', sa.Integer(), nullable=False),
    sa.Column('resolution_hours', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_sla_policy')),
    sa.UniqueConstraint('category', 'priority', name=op.f('uq_service_dispatch_sla_policy_category_priority'))
    )
    op.create_table('service_dispatch_request_link',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_service_dispatch_request_link_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_request_link')),
    sa.UniqueConstraint('key', name=op.f('uq_service_dispatch_request_link_key'))
    )
    op.create_table('service_dispatch_stock_location',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('engineer_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['engineer_id'], ['user_account.id'], name=op.f('fk_service_dispatch_stock_location_engineer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_stock_location')),
    sa.UniqueConstraint('engineer_id', name=op.f('uq_service_dispatch_stock_location_engineer_id'))
    )
    op.create_table('service_dispatch_contract',
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('product', sa.String(length=120), nullable=True),
    sa.Column('serial_number', sa.String(length=80), nullable=True),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_service_dispatch_contract_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_contract'))
    )
    with op.batch_alter_table('service_dispatch_contract', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_dispatch_contract_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_dispatch_contract_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_dispatch_contract_serial_number'), ['serial_number'], unique=False)

    op.create_table('service_dispatch_stock',
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_service_dispatch_stock_not_negative')),
    sa.ForeignKeyConstraint(['location_id'], ['service_dispatch_stock_location.id'], name=op.f('fk_service_dispatch_stock_location_id_service_dispatch_stock_location')),
    sa.ForeignKeyConstraint(['part_id'], ['service_dispatch_part.id'], name=op.f('fk_service_dispatch_stock_part_id_service_dispatch_part')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_stock')),
    sa.UniqueConstraint('part_id', 'location_id', name=op.f('uq_service_dispatch_stock_part_id_location_id'))
    )
    with op.batch_alter_table('service_dispatch_stock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_dispatch_stock_location_id'), ['location_id'], unique=False)

    op.create_table('service_dispatch_attachment',
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_service_dispatch_attachment_uploaded_by_id_user_account')),
    sa.ForeignKeyConstraint(['work_order_id'], ['service_dispatch_work_order.id'], name=op.f('fk_service_dispatch_attachment_work_order_id_service_dispatch_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_attachment')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_service_dispatch_attachment_stored_name'))
    )
    with op.batch_alter_table('service_dispatch_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_dispatch_attachment_work_order_id'), ['work_order_id'], unique=False)

    op.create_table('service_dispatch_revisit',
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_service_dispatch_revisit_score_range')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_service_dispatch_revisit_user_id_user_account')),
    sa.ForeignKeyConstraint(['work_order_id'], ['service_dispatch_work_order.id'], name=op.f('fk_service_dispatch_revisit_work_order_id_service_dispatch_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_revisit')),
    sa.UniqueConstraint('work_order_id', name=op.f('uq_service_dispatch_revisit_work_order_id'))
    )
    op.create_table('service_dispatch_stock_move',
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reason', sa.String(length=12), nullable=False),
    sa.Column('work_order_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['service_dispatch_stock_location.id'], name=op.f('fk_service_dispatch_stock_move_location_id_service_dispatch_stock_location')),
    sa.ForeignKeyConstraint(['part_id'], ['service_dispatch_part.id'], name=op.f('fk_service_dispatch_stock_move_part_id_service_dispatch_part')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_service_dispatch_stock_move_user_id_user_account')),
    sa.ForeignKeyConstraint(['work_order_id'], ['service_dispatch_work_order.id'], name=op.f('fk_service_dispatch_stock_move_work_order_id_service_dispatch_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_stock_move'))
    )
    with op.batch_alter_table('service_dispatch_stock_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_dispatch_stock_move_part_id'), ['part_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_dispatch_stock_move_work_order_id'), ['work_order_id'], unique=False)

    with op.batch_alter_table('service_dispatch_work_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contract_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('coverage', sa.String(length=12), server_default='chargeable', nullable=False))
        batch_op.add_column(sa.Column('resolve_by', core.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', core.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=8), server_default='agent', nullable=False))
        batch_op.add_column(sa.Column('requester_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('requester_phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('tracking_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_service_dispatch_work_order_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_dispatch_work_order_resolve_by'), ['resolve_by'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_service_dispatch_work_order_tracking_hash'), ['tracking_hash'])
        batch_op.create_foreign_key(batch_op.f('fk_service_dispatch_work_order_contract_id_service_dispatch_contract'), 'service_dispatch_contract', ['contract_id'], ['id'])



def downgrade():
    with op.batch_alter_table('service_dispatch_work_order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_service_dispatch_work_order_contract_id_service_dispatch_contract'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_service_dispatch_work_order_tracking_hash'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_service_dispatch_work_order_resolve_by'))
        batch_op.drop_index(batch_op.f('ix_service_dispatch_work_order_contract_id'))
        batch_op.drop_column('tracking_hash')
        batch_op.drop_column('requester_phone')
        batch_op.drop_column('requester_name')
        batch_op.drop_column('source')
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('resolve_by')
        batch_op.drop_column('coverage')
        batch_op.drop_column('contract_id')

    with op.batch_alter_table('service_dispatch_stock_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_dispatch_stock_move_work_order_id'))
        batch_op.drop_index(batch_op.f('ix_service_dispatch_stock_move_part_id'))

    op.drop_table('service_dispatch_stock_move')
    op.drop_table('service_dispatch_revisit')
    with op.batch_alter_table('service_dispatch_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_dispatch_attachment_work_order_id'))

    op.drop_table('service_dispatch_attachment')
    with op.batch_alter_table('service_dispatch_stock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_dispatch_stock_location_id'))

    op.drop_table('service_dispatch_stock')
    with op.batch_alter_table('service_dispatch_contract', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_dispatch_contract_serial_number'))
        batch_op.drop_index(batch_op.f('ix_service_dispatch_contract_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_service_dispatch_contract_customer_id'))

    op.drop_table('service_dispatch_contract')
    op.drop_table('service_dispatch_stock_location')
    op.drop_table('service_dispatch_request_link')
    op.drop_table('service_dispatch_sla_policy')
    op.drop_table('service_dispatch_part')
    op.drop_table('service_dispatch_calendar_day')
    op.drop_table('service_dispatch_calendar')
