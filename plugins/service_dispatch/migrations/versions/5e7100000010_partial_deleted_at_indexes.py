"""service dispatch: partial deleted_at indexes

``ix_<table>_deleted_at`` held every row, its key NULL for all the live
ones, and SQLite's planner preferred it for ``deleted_at IS NULL`` over a
table's far narrower status indexes (measured: the policies in grace
walked all 200,000 terms, 34 ms, instead of the 2,149 rows of their partial
index, 0.6 ms). Only the recycle bin and the purge look for deleted rows,
so the index now holds just those (``SoftDeleteMixin`` declares it so).

Revision ID: 5e7100000010
Revises: 5e7100000009
Create Date: 2026-12-05 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5e7100000010"
down_revision = "5e7100000009"
branch_labels = None
depends_on = None

TABLES = ("service_dispatch_contract", "service_dispatch_work_order")
DELETED_ROWS = "deleted_at IS NOT NULL"


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_deleted_at")
            batch_op.create_index(
                f"ix_{table}_deleted_at",
                ["deleted_at"],
                unique=False,
                sqlite_where=sa.text(DELETED_ROWS),
                postgresql_where=sa.text(DELETED_ROWS),
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_deleted_at")
            batch_op.create_index(f"ix_{table}_deleted_at", ["deleted_at"], unique=False)
