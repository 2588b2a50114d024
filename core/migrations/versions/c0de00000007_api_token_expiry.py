"""api token expiry: every token now expires; tokens made before this
revision get the default life (90 days) counted from the upgrade, so that
scripts keep working for a while instead of stopping at once

Revision ID: c0de00000007
Revises: c0de00000006
Create Date: 2026-12-04 17:20:00
"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa
import core.models.base


revision = 'c0de00000007'
down_revision = 'c0de00000006'
branch_labels = None
depends_on = None

EXISTING_TOKEN_DAYS = 90


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', core.models.base.UTCDateTime(timezone=True), nullable=True))
    api_token = sa.table('api_token', sa.column('expires_at', core.models.base.UTCDateTime(timezone=True)))
    op.execute(
        api_token.update().values(expires_at=datetime.now(UTC) + timedelta(days=EXISTING_TOKEN_DAYS))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=core.models.base.UTCDateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
