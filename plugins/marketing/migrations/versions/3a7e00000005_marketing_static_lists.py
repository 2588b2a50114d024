"""marketing: static lists

Customers picked by hand or frozen from a segment: the list and its
members (one row per customer and list).

Revision ID: 3a7e00000005
Revises: 3a7e00000004
Create Date: 2026-12-06 10:05:00
"""

import sqlalchemy as sa
from alembic import op

from core.api import UTCDateTime

revision = "3a7e00000005"
down_revision = "3a7e00000004"
branch_labels = None
depends_on = None


def _stamps():
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
        "marketing_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_marketing_list_owner_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["marketing_segment.id"],
            name=op.f("fk_marketing_list_segment_id_marketing_segment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_list")),
    )
    op.create_index("ix_marketing_list_owner", "marketing_list", ["owner_id", "shared"])
    op.create_index(  # the recycle bin's: only the deleted rows (SoftDeleteMixin's)
        "ix_marketing_list_deleted_at",
        "marketing_list",
        ["deleted_at"],
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )
    op.create_table(
        "marketing_list_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["marketing_list.id"],
            name=op.f("fk_marketing_list_member_list_id_marketing_list"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_marketing_list_member_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["user_account.id"],
            name=op.f("fk_marketing_list_member_added_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_list_member")),
        sa.UniqueConstraint(
            "list_id", "customer_id", name=op.f("uq_marketing_list_member_list_id_customer_id")
        ),
    )
    op.create_index("ix_marketing_list_member_customer", "marketing_list_member", ["customer_id"])


def downgrade():
    op.drop_index("ix_marketing_list_member_customer", table_name="marketing_list_member")
    op.drop_table("marketing_list_member")
    op.drop_index("ix_marketing_list_deleted_at", table_name="marketing_list")
    op.drop_index("ix_marketing_list_owner", table_name="marketing_list")
    op.drop_table("marketing_list")
