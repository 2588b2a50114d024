"""report columns and indexes: repeat_of_id, reopen_count, responded_at; indexes for the SLA report

Revision ID: 5e7100000004
Revises: 5e7100000003
Create Date: 2026-11-26 01:20:34.495956

``repeat_of_id`` (the order of the same serial number completed in the 30
days before this one was opened) and ``reopen_count`` (the order's reopen
events) are filled in from the existing rows, the way
``services.repeat_of`` and ``lifecycle.transition`` keep them from now on;
``responded_at`` (the first accept, which a reassignment does not clear) from
the orders' first accept event.
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '5e7100000004'
down_revision = '5e7100000003'
branch_labels = None
depends_on = None

ORDERS, EVENTS = "service_dispatch_work_order", "service_dispatch_work_order_event"


def upgrade():
    with op.batch_alter_table('service_dispatch_work_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('repeat_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reopen_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('responded_at', core.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_service_dispatch_work_order_checked_in_at', ['checked_in_at'], unique=False)
        batch_op.create_index('ix_service_dispatch_work_order_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_service_dispatch_work_order_serial_completed', ['serial_number', 'completed_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_service_dispatch_work_order_repeat_of_id_service_dispatch_work_order'), 'service_dispatch_work_order', ['repeat_of_id'], ['id'])
    backfill()


def backfill():
    """The two columns from the existing rows (SQLite and PostgreSQL)."""
    if op.get_bind().dialect.name == "sqlite":
        window = "julianday(p.completed_at) >= julianday(o.created_at) - 30"
    else:
        window = "p.completed_at >= o.created_at - interval '30 days'"
    op.execute(f"""
        UPDATE {ORDERS} AS o SET repeat_of_id = (
            SELECT p.id FROM {ORDERS} AS p
            WHERE p.serial_number = o.serial_number AND p.id <> o.id
              AND p.completed_at < o.created_at AND {window} AND p.deleted_at IS NULL
            ORDER BY p.completed_at DESC, p.id DESC LIMIT 1)
        WHERE o.serial_number IS NOT NULL""")
    op.execute(f"""
        UPDATE {ORDERS} SET reopen_count = (
            SELECT count(*) FROM {EVENTS} AS e
            WHERE e.work_order_id = {ORDERS}.id AND e.action = 'reopen')
        WHERE id IN (SELECT work_order_id FROM {EVENTS} WHERE action = 'reopen')""")
    op.execute(f"""
        UPDATE {ORDERS} SET responded_at = (
            SELECT min(e.at) FROM {EVENTS} AS e
            WHERE e.work_order_id = {ORDERS}.id AND e.action = 'accept')
        WHERE id IN (SELECT work_order_id FROM {EVENTS} WHERE action = 'accept')""")


def downgrade():
    with op.batch_alter_table('service_dispatch_work_order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_service_dispatch_work_order_repeat_of_id_service_dispatch_work_order'), type_='foreignkey')
        batch_op.drop_index('ix_service_dispatch_work_order_serial_completed')
        batch_op.drop_index('ix_service_dispatch_work_order_created_at')
        batch_op.drop_index('ix_service_dispatch_work_order_checked_in_at')
        batch_op.drop_column('responded_at')
        batch_op.drop_column('reopen_count')
        batch_op.drop_column('repeat_of_id')
