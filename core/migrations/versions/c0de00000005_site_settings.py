"""site settings: choices an admin makes in the web UI (the site theme)

Revision ID: c0de00000005
Revises: c0de00000004
Create Date: 2026-11-25 05:45:03.536372
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = 'c0de00000005'
down_revision = 'c0de00000004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('site_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_setting')),
    sa.UniqueConstraint('key', name=op.f('uq_site_setting_key'))
    )


def downgrade():
    op.drop_table('site_setting')
