"""core: (placeholder: the automation schedules slice fills this in)

Revision ID: c0de00000026
Revises: c0de00000025
Create Date: 2026-12-06 17:46:00
"""

revision = "c0de00000026"
down_revision = "c0de00000025"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
