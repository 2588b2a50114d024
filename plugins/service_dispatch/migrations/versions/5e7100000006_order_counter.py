"""order counter: the last work order number given out per day

Revision ID: 5e7100000006
Revises: 5e7100000005
Create Date: 2026-11-26 05:00:00.000000

``services.next_number`` bumps the day's row in the transaction that opens
the order, so two orders opened at once never take the same number. No
back-fill: the first order of a day starts after the day's highest number.
"""
from alembic import op
import sqlalchemy as sa


revision = '5e7100000006'
down_revision = '5e7100000005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_dispatch_order_counter',
    sa.Column('day', sa.String(length=8), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_service_dispatch_order_counter'))
    )


def downgrade():
    op.drop_table('service_dispatch_order_counter')
