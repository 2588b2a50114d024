"""marketing: campaigns (placeholder, to be filled)

Revision ID: 3a7e00000002
Revises: 3a7e00000001
Create Date: 2026-12-06 10:00:00
"""

revision = "3a7e00000002"
down_revision = "3a7e00000001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
