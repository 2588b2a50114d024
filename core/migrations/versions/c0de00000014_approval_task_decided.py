"""approval tasks by the day they were decided: the turnaround reports read
a period's decisions without scanning every task

Revision ID: c0de00000014
Revises: c0de00000013
Create Date: 2026-12-05 10:55:00
"""

from alembic import op

revision = 'c0de00000014'
down_revision = 'c0de00000013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_approval_task_decided', 'approval_task', ['decided_at', 'status'],
                    unique=False)


def downgrade():
    op.drop_index('ix_approval_task_decided', table_name='approval_task')
