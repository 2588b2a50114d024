"""number sequences: one counter per numbered document type and period
(core.numbering: contracts, quotes, invoices, policies, record numbers)

Revision ID: c0de00000013
Revises: c0de00000012
Create Date: 2026-12-05 09:40:00
"""

from alembic import op
import sqlalchemy as sa

revision = 'c0de00000013'
down_revision = 'c0de00000012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'number_sequence',
        sa.Column('key', sa.String(length=160), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_number_sequence')))


def downgrade():
    op.drop_table('number_sequence')
