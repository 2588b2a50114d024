"""core: (placeholder: the import-speed slice fills this in)

Revision ID: c0de00000025
Revises: c0de00000024
Create Date: 2026-12-06 17:45:00
"""

revision = "c0de00000025"
down_revision = "c0de00000024"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
