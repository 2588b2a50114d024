"""plugin state: the version each enabled plugin was last synced at, and the
permissions already granted to its default roles

Revision ID: c0de00000006
Revises: c0de00000005
Create Date: 2026-12-04 14:40:00
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = 'c0de00000006'
down_revision = 'c0de00000005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plugin_state',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('granted', sa.JSON(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plugin_state')),
    sa.UniqueConstraint('name', name=op.f('uq_plugin_state_name'))
    )


def downgrade():
    op.drop_table('plugin_state')
