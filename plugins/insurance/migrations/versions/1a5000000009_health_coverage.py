"""insurance: health coverage — a health product's outpatient cover terms
(co-payment percent, deductible and limit per policy year, the charge
categories covered) and an outpatient claim's cause and source (the
hospital payment it came from, at most one claim each).

Revision ID: 1a5000000009
Revises: 1a5000000008
Create Date: 2026-12-06 02:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "1a5000000009"
down_revision = "1a5000000008"
branch_labels = None
depends_on = None

_SOURCE = "source IS NOT NULL"


def upgrade():
    with op.batch_alter_table("insurance_product", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("outpatient_copay_percent", sa.Numeric(precision=5, scale=2), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "outpatient_deductible",
                sa.Numeric(precision=14, scale=2),
                nullable=False,
                server_default="0",
            )
        )
        batch_op.add_column(
            sa.Column("outpatient_limit", sa.Numeric(precision=14, scale=2), nullable=True)
        )
        batch_op.add_column(
            sa.Column("outpatient_categories", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("insurance_claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cause", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "uq_insurance_claim_source",
            ["source", "source_id"],
            unique=True,
            sqlite_where=sa.text(_SOURCE),
            postgresql_where=sa.text(_SOURCE),
        )


def downgrade():
    with op.batch_alter_table("insurance_claim", schema=None) as batch_op:
        batch_op.drop_index("uq_insurance_claim_source")
        batch_op.drop_column("source_id")
        batch_op.drop_column("source")
        batch_op.drop_column("cause")
    with op.batch_alter_table("insurance_product", schema=None) as batch_op:
        batch_op.drop_column("outpatient_categories")
        batch_op.drop_column("outpatient_limit")
        batch_op.drop_column("outpatient_deductible")
        batch_op.drop_column("outpatient_copay_percent")
