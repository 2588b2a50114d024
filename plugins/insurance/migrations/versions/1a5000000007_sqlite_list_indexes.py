"""insurance: SQLite list indexes

The overdue lists (grace list, "Overdue premiums") read the open instalments
of the terms in grace or in force through ``ix_insurance_instalment_open``
(policy_id, due_on, seq) and looked every row up in the table for the
customer (the recycle-bin or visibility check), the scope's agent and team
and the date they sort by: at 1,000,000 terms the grace list's count read
11,573 table rows on SQLite. The index now holds those columns too, so the
count and the narrowing read it alone.

A manager's loss ratio finds the customers of the claims of their agents it
must take off (``report_cells.unseen_events``) by ``agent_id``: the new
``ix_insurance_claim_agent`` (agent_id, customer_id) answers that from the
index, as ``ix_insurance_transaction_agent`` does for the transactions.

Revision ID: 1a5000000007
Revises: 1a5000000006
Create Date: 2026-12-05 21:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "1a5000000007"
down_revision = "1a5000000006"
branch_labels = None
depends_on = None

OPEN = "settled_on IS NULL"
#: models.premiums.OPEN_LIST as it was written here
OPEN_LIST = ["due_on", "seq", "customer_id", "agent_id", "team_id", "settled_on"]


def _open_index(columns: list[str]) -> None:
    with op.batch_alter_table("insurance_instalment", schema=None) as batch_op:
        batch_op.drop_index("ix_insurance_instalment_open")
        batch_op.create_index(
            "ix_insurance_instalment_open",
            ["policy_id", *columns],
            unique=False,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )


def upgrade():
    _open_index(OPEN_LIST)
    with op.batch_alter_table("insurance_claim", schema=None) as batch_op:
        batch_op.create_index("ix_insurance_claim_agent", ["agent_id", "customer_id"])


def downgrade():
    with op.batch_alter_table("insurance_claim", schema=None) as batch_op:
        batch_op.drop_index("ix_insurance_claim_agent")
    _open_index(["due_on", "seq"])
