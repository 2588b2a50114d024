"""core: consent per channel and purpose

Revision ID: c0de00000019
Revises: c0de00000018
Create Date: 2026-12-05 23:20:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "c0de00000019"
down_revision = "c0de00000018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "customer_consent",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            core.models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            core.models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_consent_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_customer_consent_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_consent")),
    )
    op.create_index(
        "ix_customer_consent_latest",
        "customer_consent",
        ["customer_id", "channel", "purpose", "decided_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_customer_consent_latest", table_name="customer_consent")
    op.drop_table("customer_consent")
