"""one open successor: a cancelled or deleted renewal quote no longer
holds a term's one successor place, so the term can be quoted again.

Revision ID: 1a5000000003
Revises: 1a5000000002
Create Date: 2026-12-05 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "1a5000000003"
down_revision = "1a5000000002"
branch_labels = None
depends_on = None

OPEN = "predecessor_id IS NOT NULL AND status <> 'cancelled' AND deleted_at IS NULL"
ANY = "predecessor_id IS NOT NULL"


def _index(condition: str) -> None:
    with op.batch_alter_table("insurance_policy", schema=None) as batch_op:
        batch_op.drop_index("uq_insurance_policy_predecessor")
        batch_op.create_index(
            "uq_insurance_policy_predecessor",
            ["predecessor_id"],
            unique=True,
            sqlite_where=sa.text(condition),
            postgresql_where=sa.text(condition),
        )


def upgrade():
    _index(OPEN)


def downgrade():
    # two successors of one term (one cancelled) cannot both stay: the
    # cancelled ones let go of their predecessor
    op.execute(
        "UPDATE insurance_policy SET predecessor_id = NULL"
        " WHERE predecessor_id IS NOT NULL AND (status = 'cancelled' OR deleted_at IS NOT NULL)"
    )
    _index(ANY)
