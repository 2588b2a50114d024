"""insurance: persistency cohort cells

The persistency report grouped every issued first term of the period: at
1,000,000 terms an admin's five years read ~470,000 rows of the covering
cohort index, 0.8 s on SQLite. The cohorts are now added up in advance in
the report cells (``report_cells.cohort``): kind ``cohort`` followed by the
p13 and p25 marks (``+`` kept, ``-`` not, ``?`` not marked yet), by the
month of inception, currency, carrier, product, line, agent and team — the
number of terms (``parts``) and their APE in cents. Existing first terms
are added up here. A manager's report takes off the terms of customers out
of their sight, found on the new ``ix_insurance_policy_cohort_agent``
(agent_id, customer_id; partial, the first terms issued). Down: the cohort
cells and the index go.

Revision ID: 1a5000000008
Revises: 1a5000000007
Create Date: 2026-12-06 02:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "1a5000000008"
down_revision = "1a5000000007"
branch_labels = None
depends_on = None

CELLS = "insurance_report_cell"
POLICIES = "insurance_policy"
COHORT = "term_no = 1 AND issued_on IS NOT NULL AND deleted_at IS NULL"


def upgrade():
    op.create_index(
        "ix_insurance_policy_cohort_agent",
        POLICIES,
        ["agent_id", "customer_id"],
        unique=False,
        sqlite_where=sa.text(COHORT),
        postgresql_where=sa.text(COHORT),
    )
    _add_up_existing_terms()


def _add_up_existing_terms():
    from core.api import UTCDateTime
    from plugins.insurance.services.report_cells import cell_rows, cohort

    bind = op.get_bind()
    # the columns of report_cells.cohort.COLUMNS, by name
    dates = ("issued_on", "inception_on", "cancelled_on", "cooling_off_ends_on")
    ids = ("id", "term_no", "carrier_id", "product_id", "agent_id", "team_id")
    policy = sa.table(
        POLICIES,
        *(sa.column(name) for name in ids),
        *(sa.column(name, sa.Date()) for name in dates),
        sa.column("deleted_at", UTCDateTime()),
        sa.column("currency"),
        sa.column("line"),
        sa.column("annual_premium", sa.Numeric(14, 2)),
        sa.column("p13", sa.Boolean()),
        sa.column("p25", sa.Boolean()),
    )
    terms = bind.execute(
        sa.select(*policy.c).where(
            policy.c.term_no == 1, policy.c.issued_on.is_not(None), policy.c.deleted_at.is_(None)
        )
    )
    rows = cell_rows(cohort.contributions(terms))
    cell = sa.table(CELLS, *(sa.column(name) for name in rows[0])) if rows else None
    for chunk in range(0, len(rows), 5_000):
        bind.execute(cell.insert(), rows[chunk : chunk + 5_000])


def downgrade():
    cell = sa.table(CELLS, sa.column("kind"))
    op.execute(cell.delete().where(cell.c.kind.like("cohort%")))
    op.drop_index(
        "ix_insurance_policy_cohort_agent",
        table_name=POLICIES,
        sqlite_where=sa.text(COHORT),
        postgresql_where=sa.text(COHORT),
    )
