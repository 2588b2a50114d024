"""marketing: campaigns

E-mail templates in both languages, campaigns to a segment, one recipient
row per (campaign, address), and the suppressed addresses.

Revision ID: 3a7e00000002
Revises: 3a7e00000001
Create Date: 2026-12-06 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from core.api import UTCDateTime

revision = "3a7e00000002"
down_revision = "3a7e00000001"
branch_labels = None
depends_on = None


def _stamps():
    return [
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
    ]


def _editable():
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(timezone=True), nullable=True),
    ]


def _bin_index(table):
    op.create_index(  # the recycle bin's: only the deleted rows (SoftDeleteMixin's)
        f"ix_{table}_deleted_at",
        table,
        ["deleted_at"],
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )


def upgrade():
    op.create_table(
        "marketing_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("subject_en", sa.String(length=200), nullable=True),
        sa.Column("body_en", sa.Text(), nullable=True),
        sa.Column("subject_zh_CN", sa.String(length=200), nullable=True),
        sa.Column("body_zh_CN", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        *_stamps(),
        *_editable(),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_marketing_template_owner_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_template")),
    )
    _bin_index("marketing_template")
    op.create_table(
        "marketing_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("send_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("rate", sa.Integer(), nullable=False),
        sa.Column("base_url", sa.String(length=300), nullable=True),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        *_stamps(),
        *_editable(),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_marketing_campaign_owner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_marketing_campaign_team_id_team")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["marketing_segment.id"],
            name=op.f("fk_marketing_campaign_segment_id_marketing_segment"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["marketing_template.id"],
            name=op.f("fk_marketing_campaign_template_id_marketing_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_campaign")),
    )
    op.create_index("ix_marketing_campaign_status", "marketing_campaign", ["status", "send_at"])
    op.create_index("ix_marketing_campaign_segment_id", "marketing_campaign", ["segment_id"])
    op.create_index("ix_marketing_campaign_template_id", "marketing_campaign", ["template_id"])
    op.create_index("ix_marketing_campaign_owner_id", "marketing_campaign", ["owner_id"])
    op.create_index("ix_marketing_campaign_team_id", "marketing_campaign", ["team_id"])
    _bin_index("marketing_campaign")
    op.create_table(
        "marketing_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("clicked_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", UTCDateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["marketing_campaign.id"],
            name=op.f("fk_marketing_recipient_campaign_id_marketing_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_marketing_recipient_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_marketing_recipient_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_recipient")),
        sa.UniqueConstraint("campaign_id", "email", name="uq_marketing_recipient_address"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_marketing_recipient_token_hash")),
    )
    op.create_index(
        "ix_marketing_recipient_status", "marketing_recipient", ["campaign_id", "status", "id"]
    )
    op.create_index("ix_marketing_recipient_customer_id", "marketing_recipient", ["customer_id"])
    op.create_table(
        "marketing_suppression",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_suppression")),
        sa.UniqueConstraint("email", name=op.f("uq_marketing_suppression_email")),
    )


def downgrade():
    op.drop_table("marketing_suppression")
    op.drop_index("ix_marketing_recipient_customer_id", table_name="marketing_recipient")
    op.drop_index("ix_marketing_recipient_status", table_name="marketing_recipient")
    op.drop_table("marketing_recipient")
    op.drop_index("ix_marketing_campaign_deleted_at", table_name="marketing_campaign")
    op.drop_index("ix_marketing_campaign_team_id", table_name="marketing_campaign")
    op.drop_index("ix_marketing_campaign_owner_id", table_name="marketing_campaign")
    op.drop_index("ix_marketing_campaign_template_id", table_name="marketing_campaign")
    op.drop_index("ix_marketing_campaign_segment_id", table_name="marketing_campaign")
    op.drop_index("ix_marketing_campaign_status", table_name="marketing_campaign")
    op.drop_table("marketing_campaign")
    op.drop_index("ix_marketing_template_deleted_at", table_name="marketing_template")
    op.drop_table("marketing_template")
