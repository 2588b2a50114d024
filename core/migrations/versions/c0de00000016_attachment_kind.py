"""attachment kind: what a file is to its record (a claim's invoice, a
policy's recorded-sale video), so an owner plugin can require one before a
state change and list a record's files by kind

Revision ID: c0de00000016
Revises: c0de00000015
Create Date: 2026-12-05 19:20:00
"""

from alembic import op
import sqlalchemy as sa

revision = 'c0de00000016'
down_revision = 'c0de00000015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_column('kind')
