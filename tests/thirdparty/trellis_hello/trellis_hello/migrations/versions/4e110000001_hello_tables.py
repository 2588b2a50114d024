"""hello tables

Revision ID: 4e110000001
Revises:
"""
import sqlalchemy as sa
from alembic import op

import core.api

revision = "4e110000001"
down_revision = None
branch_labels = ("hello",)
depends_on = "c0de00000001"


def upgrade():
    op.create_table(
        "hello_greeting",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.api.UTCDateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", core.api.UTCDateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"],
                                name=op.f("fk_hello_greeting_customer_id_customer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hello_greeting")),
    )
    with op.batch_alter_table("hello_greeting") as batch_op:
        batch_op.create_index(batch_op.f("ix_hello_greeting_customer_id"), ["customer_id"])


def downgrade():
    with op.batch_alter_table("hello_greeting") as batch_op:
        batch_op.drop_index(batch_op.f("ix_hello_greeting_customer_id"))
    op.drop_table("hello_greeting")
