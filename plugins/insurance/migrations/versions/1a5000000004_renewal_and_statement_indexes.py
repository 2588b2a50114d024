"""renewal and statement indexes: the renewal due list reads expired terms
still late to renew from the same partial index as the live ones (and all
it filters on, from the index alone), and
building a month's agent statements reads the open commission lines from
an index alone, and an issued statement finds its lines; persistency reads
its cohorts (first terms issued) from an index alone.

Revision ID: 1a5000000004
Revises: 1a5000000003
Create Date: 2026-12-05 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "1a5000000004"
down_revision = "1a5000000003"
branch_labels = None
depends_on = None

LIVE = "status IN ('in_force', 'grace') AND deleted_at IS NULL"
RENEWABLE = "status IN ('in_force', 'grace', 'expired') AND deleted_at IS NULL"
OPEN = "agent_statement_id IS NULL"
COHORT = "term_no = 1 AND issued_on IS NOT NULL AND deleted_at IS NULL"
COHORT_COLUMNS = [
    *("inception_on", "currency", "p13", "p25", "annual_premium"),
    *("cancelled_on", "cooling_off_ends_on", "agent_id", "team_id", "customer_id"),
]


def _renewal_indexes(condition: str, covering: tuple[str, ...]) -> None:
    with op.batch_alter_table("insurance_policy", schema=None) as batch_op:
        batch_op.drop_index("ix_insurance_policy_renewal")
        batch_op.drop_index("ix_insurance_policy_agent_renewal")
        batch_op.create_index(
            "ix_insurance_policy_renewal",
            ["end_date", "id", "agent_id", "team_id", "customer_id", *covering],
            sqlite_where=sa.text(condition),
            postgresql_where=sa.text(condition),
        )
        batch_op.create_index(
            "ix_insurance_policy_agent_renewal",
            ["agent_id", "end_date", "id"],
            sqlite_where=sa.text(condition),
            postgresql_where=sa.text(condition),
        )


def upgrade():
    _renewal_indexes(RENEWABLE, ("product_id", "status", "renewal_outcome"))
    with op.batch_alter_table("insurance_policy", schema=None) as batch_op:
        batch_op.create_index(
            "ix_insurance_policy_cohort",
            COHORT_COLUMNS,
            sqlite_where=sa.text(COHORT),
            postgresql_where=sa.text(COHORT),
        )
    with op.batch_alter_table("insurance_commission_line", schema=None) as batch_op:
        batch_op.create_index(
            "ix_insurance_commission_open",
            ["month", "agent_id", "currency", "kind", "agent_amount"],
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )
        batch_op.create_index("ix_insurance_commission_statement", ["agent_statement_id"])


def downgrade():
    with op.batch_alter_table("insurance_commission_line", schema=None) as batch_op:
        batch_op.drop_index("ix_insurance_commission_statement")
        batch_op.drop_index("ix_insurance_commission_open")
    with op.batch_alter_table("insurance_policy", schema=None) as batch_op:
        batch_op.drop_index("ix_insurance_policy_cohort")
    _renewal_indexes(LIVE, ())
