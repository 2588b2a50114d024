"""report cells: earned premium and claims incurred added up by month

The loss-ratio report of an admin computed earned premium in Python from
every transaction whose term overlaps the period: 27-31 s at 1,000,000
terms. The cells (see plugins/insurance/services/report_cells) hold each
transaction's premium change split over the months of its term, added up
by month, currency, carrier, product, line, agent and team; and the claim
events' paid and reserve changes (claims incurred) the same way. Existing
transactions and events are added up here. A manager's and an agent's reports take
off the transactions of customers they do not see, found through the new
indexes on the transactions' agent and team.

Revision ID: 1a5000000005
Revises: 1a5000000004
Create Date: 2026-12-05 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "1a5000000005"
down_revision = "1a5000000004"
branch_labels = None
depends_on = None

CELLS = "insurance_report_cell"
TRANSACTIONS = "insurance_transaction"
#: models.report_cell.READ as it was written here
READ = ["owner_id", "team_id", "currency", "carrier_id", "product_id", "line", "agent_id"]
READ += ["parts", "cents"]


def upgrade():
    op.create_table(
        CELLS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("carrier_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=10), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_report_cell")),
        sa.UniqueConstraint("key", name=op.f("uq_insurance_report_cell_key")),
    )
    op.create_index("ix_insurance_report_cell_month", CELLS, ["kind", "month", *READ], unique=False)
    for name, column in (("team", "team_id"), ("owner", "owner_id")):
        op.create_index(
            f"ix_insurance_report_cell_{name}", CELLS, [column, "kind", "month"], unique=False
        )
    for name, column in (("agent", "agent_id"), ("team", "team_id")):
        op.create_index(
            f"ix_insurance_transaction_{name}", TRANSACTIONS, [column, "customer_id"], unique=False
        )
    _add_up_existing_rows()


def _add_up_existing_rows():
    from core.api import UTCDateTime
    from plugins.insurance.services.report_cells import cell_rows, earned, incurred

    bind = op.get_bind()
    money = sa.Numeric(14, 2)
    dims = ("currency", "carrier_id", "product_id", "line", "agent_id")
    # the columns of report_cells.earned.COLUMNS and incurred.COLUMNS, by name
    transaction = sa.table(
        TRANSACTIONS,
        *(sa.column(name) for name in ("id", "policy_id", "team_id", "customer_id", *dims)),
        sa.column("premium_delta", money),
        sa.column("effective_on", sa.Date()),
    )
    policy = sa.table("insurance_policy", sa.column("id"), sa.column("end_date", sa.Date()))
    event = sa.table(
        "insurance_claim_event",
        *(sa.column(name) for name in ("id", "claim_id", *dims)),
        sa.column("event_on", sa.Date()),
        sa.column("paid_delta", money),
        sa.column("reserve_delta", money),
    )
    claim = sa.table(
        "insurance_claim",
        *(sa.column(name) for name in ("id", "agent_id", "team_id")),
        sa.column("deleted_at", UTCDateTime()),
    )
    rows = cell_rows(
        earned.contributions(
            bind.execute(
                sa.select(*transaction.c, policy.c.end_date).join_from(
                    transaction, policy, policy.c.id == transaction.c.policy_id
                )
            )
        )
    ) + cell_rows(
        incurred.contributions(
            bind.execute(
                sa.select(
                    *event.c,
                    claim.c.agent_id.label("owner_id"),
                    claim.c.team_id.label("claim_team_id"),
                    claim.c.deleted_at,
                ).join_from(event, claim, claim.c.id == event.c.claim_id)
            )
        )
    )
    cell = sa.table(CELLS, *(sa.column(name) for name in rows[0])) if rows else None
    for chunk in range(0, len(rows), 5_000):
        bind.execute(cell.insert(), rows[chunk : chunk + 5_000])


def downgrade():
    op.drop_index("ix_insurance_transaction_team", table_name=TRANSACTIONS)
    op.drop_index("ix_insurance_transaction_agent", table_name=TRANSACTIONS)
    op.drop_index("ix_insurance_report_cell_owner", table_name=CELLS)
    op.drop_index("ix_insurance_report_cell_team", table_name=CELLS)
    op.drop_index("ix_insurance_report_cell_month", table_name=CELLS)
    op.drop_table(CELLS)
