"""core: consent confirmation (double opt-in)

A grant of marketing by e-mail waits, as a ``pending`` decision, until the
customer follows the link of a confirmation e-mail. Each e-mail sent is a
row: the link token's sha256 (never the token), the address, when it went,
expires and was used.

Revision ID: c0de00000021
Revises: c0de00000020
Create Date: 2026-12-06 13:50:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "c0de00000021"
down_revision = "c0de00000020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consent_confirmation",
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("sent_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", core.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
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
            ["consent_id"],
            ["customer_consent.id"],
            name=op.f("fk_consent_confirmation_consent_id_customer_consent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["user_account.id"],
            name=op.f("fk_consent_confirmation_sent_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_confirmation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_consent_confirmation_token_hash")),
    )
    op.create_index(
        op.f("ix_consent_confirmation_consent_id"),
        "consent_confirmation",
        ["consent_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_consent_confirmation_consent_id"), table_name="consent_confirmation")
    op.drop_table("consent_confirmation")
