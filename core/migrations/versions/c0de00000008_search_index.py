"""search index: one document per searchable record (customers, contacts and
whatever plugins declare), indexed by SQLite FTS5 or a PostgreSQL GIN index

Revision ID: c0de00000008
Revises: c0de00000007
Create Date: 2026-12-05 03:20:00
"""

import sqlalchemy as sa
from alembic import op

from core.search.ddl import create_statements, drop_statements

revision = 'c0de00000008'
down_revision = 'c0de00000007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('f0', sa.Text(), nullable=True),
        sa.Column('f1', sa.Text(), nullable=True),
        sa.Column('f2', sa.Text(), nullable=True),
        sa.Column('f3', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
        sa.UniqueConstraint('kind', 'record_id', name=op.f('uq_search_document_kind_record_id')),
    )
    for statement in create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('search_document')
