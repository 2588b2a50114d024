"""marketing: rfm churn

The RFM run log, each customer's latest RFM and churn figures, and the
per-run snapshot of RFM segments that movement between two runs compares.

Revision ID: 3a7e00000004
Revises: 3a7e00000003
Create Date: 2026-12-06 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from core.api import UTCDateTime

revision = "3a7e00000004"
down_revision = "3a7e00000003"
branch_labels = None
depends_on = None


def _timestamps():
    return [
        sa.Column(
            name,
            UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        )
        for name in ("created_at", "updated_at")
    ]


def upgrade():
    op.create_table(
        "marketing_rfm_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("as_of", UTCDateTime(timezone=True), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("kept", sa.Boolean(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["user_account.id"],
            name=op.f("fk_marketing_rfm_run_started_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_rfm_run")),
    )
    op.create_index("ix_marketing_rfm_run_status", "marketing_rfm_run", ["status", "finished_at"])
    op.create_table(
        "marketing_rfm_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("last_event_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("recency_days", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("monetary", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("early", sa.Integer(), nullable=False),
        sa.Column("late", sa.Integer(), nullable=False),
        sa.Column("r", sa.SmallInteger(), nullable=True),
        sa.Column("f", sa.SmallInteger(), nullable=True),
        sa.Column("m", sa.SmallInteger(), nullable=True),
        sa.Column("segment", sa.String(length=20), nullable=True),
        sa.Column("contact_days", sa.Integer(), nullable=True),
        sa.Column("open_complaints", sa.Integer(), nullable=False),
        sa.Column("satisfaction", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column("churn_score", sa.SmallInteger(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_marketing_rfm_score_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["marketing_rfm_run.id"],
            name=op.f("fk_marketing_rfm_score_run_id_marketing_rfm_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_rfm_score")),
    )
    op.create_index(
        "ux_marketing_rfm_score_run_customer",
        "marketing_rfm_score",
        ["run_id", "customer_id"],
        unique=True,
    )
    op.create_index("ix_marketing_rfm_score_segment", "marketing_rfm_score", ["run_id", "segment"])
    op.create_index(
        "ix_marketing_rfm_score_churn", "marketing_rfm_score", ["run_id", "churn_score"]
    )
    op.create_index("ix_marketing_rfm_score_customer", "marketing_rfm_score", ["customer_id"])
    op.create_table(
        "marketing_rfm_snapshot",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_marketing_rfm_snapshot_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["marketing_rfm_run.id"],
            name=op.f("fk_marketing_rfm_snapshot_run_id_marketing_rfm_run"),
        ),
        sa.PrimaryKeyConstraint("run_id", "customer_id", name=op.f("pk_marketing_rfm_snapshot")),
    )
    op.create_index("ix_marketing_rfm_snapshot_customer", "marketing_rfm_snapshot", ["customer_id"])


def downgrade():
    op.drop_index("ix_marketing_rfm_snapshot_customer", table_name="marketing_rfm_snapshot")
    op.drop_table("marketing_rfm_snapshot")
    for name in (
        "ix_marketing_rfm_score_customer",
        "ix_marketing_rfm_score_churn",
        "ix_marketing_rfm_score_segment",
        "ux_marketing_rfm_score_run_customer",
    ):
        op.drop_index(name, table_name="marketing_rfm_score")
    op.drop_table("marketing_rfm_score")
    op.drop_index("ix_marketing_rfm_run_status", table_name="marketing_rfm_run")
    op.drop_table("marketing_rfm_run")
