"""marketing: static lists (placeholder, to be filled)

Revision ID: 3a7e00000005
Revises: 3a7e00000004
Create Date: 2026-12-06 10:00:00
"""

revision = "3a7e00000005"
down_revision = "3a7e00000004"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
