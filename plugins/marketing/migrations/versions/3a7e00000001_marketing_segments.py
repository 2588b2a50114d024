"""marketing: segments

The first revision of the plugin's own branch: the segment table (a
definition of conditions; its members are computed, never stored).

Revision ID: 3a7e00000001
Revises:
Create Date: 2026-12-06 06:40:00
"""

import sqlalchemy as sa
from alembic import op

from core.api import UTCDateTime

revision = "3a7e00000001"
down_revision = None
branch_labels = ("marketing",)
depends_on = "c0de00000001"


def upgrade():
    op.create_table(
        "marketing_segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("match", sa.String(length=8), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_marketing_segment_owner_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_segment")),
    )
    op.create_index("ix_marketing_segment_owner", "marketing_segment", ["owner_id", "shared"])
    op.create_index(  # the recycle bin's: only the deleted rows (SoftDeleteMixin's)
        "ix_marketing_segment_deleted_at",
        "marketing_segment",
        ["deleted_at"],
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_marketing_segment_deleted_at", table_name="marketing_segment")
    op.drop_index("ix_marketing_segment_owner", table_name="marketing_segment")
    op.drop_table("marketing_segment")
