"""insurance: the customers whose records another agent or team holds

A manager's loss-ratio and persistency reports took off the rows of
customers out of their sight by checking the customer of every row in
their scope: at 1,000,000 terms the first terms of the team's agents
(~54,000) against the manager's ~20,000 customers, 70–150 ms on
PostgreSQL with a cold cache. Such a customer always has a record (a
policy term, a transaction, a claim) whose agent or team is not the
customer's owner or team, so the new ``insurance_moved_customer`` holds
one row per such customer and (agent, team), kept by the plugin's flush
hooks (``report_cells.moved``); the reports read it. Existing records
are read here, in one ``INSERT … SELECT``. Down: the table goes.

Revision ID: 1a5000000011
Revises: 1a5000000010
Create Date: 2026-12-06 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "1a5000000011"
down_revision = "1a5000000010"
branch_labels = None
depends_on = None

MOVED = "insurance_moved_customer"
#: the tables of the records, each with customer_id, agent_id and team_id
RECORDS = ("insurance_policy", "insurance_transaction", "insurance_claim")


def upgrade():
    op.create_table(
        MOVED,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_moved_customer")),
    )
    op.create_index("ix_insurance_moved_customer_customer", MOVED, ["customer_id"])
    op.create_index("ix_insurance_moved_customer_agent", MOVED, ["agent_id", "customer_id"])
    op.create_index("ix_insurance_moved_customer_team", MOVED, ["team_id", "customer_id"])
    _add_existing_records()


def _add_existing_records():
    """The rows of ``report_cells.moved.rebuild``, written out as they stand
    here (the models may change later)."""
    customer = sa.table("customer", sa.column("id"), sa.column("owner_id"), sa.column("team_id"))
    selects = []
    for name in RECORDS:
        record = sa.table(name, *(sa.column(c) for c in ("customer_id", "agent_id", "team_id")))
        selects.append(
            sa.select(record.c.customer_id, record.c.agent_id, record.c.team_id)
            .join(customer, customer.c.id == record.c.customer_id)
            .where(
                sa.or_(
                    record.c.agent_id.is_distinct_from(customer.c.owner_id),
                    record.c.team_id.is_distinct_from(customer.c.team_id),
                )
            )
        )
    moved = sa.table(MOVED, sa.column("customer_id"), sa.column("agent_id"), sa.column("team_id"))
    op.execute(
        moved.insert().from_select(["customer_id", "agent_id", "team_id"], sa.union(*selects))
    )


def downgrade():
    op.drop_index("ix_insurance_moved_customer_team", table_name=MOVED)
    op.drop_index("ix_insurance_moved_customer_agent", table_name=MOVED)
    op.drop_index("ix_insurance_moved_customer_customer", table_name=MOVED)
    op.drop_table(MOVED)
