"""insurance: outpatient cover per insured person — the claims of a cause

The deductible and limit of a health product's outpatient cover are now
each insured person's: they are worked out from the person's outpatient
claims (``insured_id``, or none for the policyholder), which the existing
``ix_insurance_claim_policy`` (policy, loss date) already finds, so no
column is added. The claims list and API gain a ``cause`` filter: a partial
index on the claims that have one (few beside the ordinary losses), newest
report first.

Revision ID: 1a5000000010
Revises: 1a5000000009
Create Date: 2026-12-06 06:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "1a5000000010"
down_revision = "1a5000000009"
branch_labels = None
depends_on = None

_CAUSE = "cause IS NOT NULL AND deleted_at IS NULL"


def upgrade():
    with op.batch_alter_table("insurance_claim", schema=None) as batch_op:
        batch_op.create_index(
            "ix_insurance_claim_cause",
            ["cause", "reported_at", "id"],
            unique=False,
            sqlite_where=sa.text(_CAUSE),
            postgresql_where=sa.text(_CAUSE),
        )


def downgrade():
    with op.batch_alter_table("insurance_claim", schema=None) as batch_op:
        batch_op.drop_index("ix_insurance_claim_cause")
