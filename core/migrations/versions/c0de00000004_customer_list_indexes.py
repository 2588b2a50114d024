"""customer list indexes: default sort, covering scope/search, partial deleted_at

Revision ID: c0de00000004
Revises: c0de00000003
Create Date: 2026-11-25 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0de00000004'
down_revision = 'c0de00000003'
branch_labels = None
depends_on = None

NOT_DELETED = sa.text("deleted_at IS NOT NULL")


def upgrade():
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_deleted_at')
        batch_op.create_index('ix_customer_deleted_at', ['deleted_at'], unique=False,
                              sqlite_where=NOT_DELETED, postgresql_where=NOT_DELETED)
        batch_op.create_index('ix_customer_updated', ['updated_at'], unique=False)
        batch_op.create_index('ix_customer_scope', ['team_id', 'owner_id', 'deleted_at', 'name'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_scope')
        batch_op.drop_index('ix_customer_updated')
        batch_op.drop_index('ix_customer_deleted_at')
        batch_op.create_index('ix_customer_deleted_at', ['deleted_at'], unique=False)
