"""core: outgoing messages and one-time codes

``message`` is the outbox of SMS and e-mail: a row is written in the
caller's transaction and delivered by a job after it commits, so a
rolled-back write sends nothing. ``one_time_code`` holds the hash of the
one live code per (purpose, key) — a phone number proving it is its holder's.

Revision ID: c0de00000018
Revises: c0de00000017
Create Date: 2026-12-05 23:20:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "c0de00000018"
down_revision = "c0de00000017"
branch_labels = None
depends_on = None


def _stamps():
    return [
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
    ]


def upgrade():
    op.create_table(
        "message",
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("to", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("sender", sa.String(length=60), nullable=True),
        sa.Column("sent_at", core.models.base.UTCDateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_message_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_message_status", ["status", "id"], unique=False)
        batch_op.create_index("ix_message_purpose", ["purpose", "id"], unique=False)
    op.create_table(
        "one_time_code",
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=254), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", core.models.base.UTCDateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_code")),
    )
    with op.batch_alter_table("one_time_code", schema=None) as batch_op:
        batch_op.create_index("uq_one_time_code_key", ["purpose", "key"], unique=True)


def downgrade():
    with op.batch_alter_table("one_time_code", schema=None) as batch_op:
        batch_op.drop_index("uq_one_time_code_key")
    op.drop_table("one_time_code")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_purpose")
        batch_op.drop_index("ix_message_status")
        batch_op.drop_index(batch_op.f("ix_message_customer_id"))
    op.drop_table("message")
