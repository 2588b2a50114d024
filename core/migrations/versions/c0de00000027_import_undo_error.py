"""core: an import's undo runs on the job queue

``import_job.undo_error`` is why the undo of an import was refused once it
ran (a record changed since, a plugin's veto); the import keeps the state
it had (``done`` or ``failed``) and may be undone again.

Revision ID: c0de00000027
Revises: c0de00000026
Create Date: 2026-12-06 21:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c0de00000027"
down_revision = "c0de00000026"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("undo_error", sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.drop_column("undo_error")
