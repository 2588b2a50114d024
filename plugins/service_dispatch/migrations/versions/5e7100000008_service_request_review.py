"""service requests: public requests with a known customer's phone wait for review

Revision ID: 5e7100000008
Revises: 5e7100000007
Create Date: 2026-11-27 09:00:00.000000

An anonymous request never adds a contact or an order to an existing
customer: it waits in this table until a dispatcher links it.
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '5e7100000008'
down_revision = '5e7100000007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_dispatch_request',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('phone_normal', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('product', sa.String(length=120), nullable=True),
    sa.Column('serial_number', sa.String(length=80), nullable=True),
    sa.Column('category', sa.String(length=60), nullable=True),
    sa.Column('tracking_hash', sa.String(length=64), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['service_dispatch_request_link.id'], name=op.f('fk_service_dispatch_request_link_id_service_dispatch_request_link')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_service_dispatch_request_owner_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_service_dispatch_request_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_dispatch_request')),
    sa.UniqueConstraint('number', name=op.f('uq_service_dispatch_request_number')),
    sa.UniqueConstraint('tracking_hash', name=op.f('uq_service_dispatch_request_tracking_hash'))
    )
    with op.batch_alter_table('service_dispatch_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_dispatch_request_team_id'), ['team_id'], unique=False)


def downgrade():
    with op.batch_alter_table('service_dispatch_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_dispatch_request_team_id'))
    op.drop_table('service_dispatch_request')
