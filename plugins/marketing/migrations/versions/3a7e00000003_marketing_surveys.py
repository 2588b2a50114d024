"""marketing: surveys

Surveys (NPS, CSAT, custom questions in both languages), the invitations
that ask one customer once per occasion through a tokenised link (only the
token's hash is kept), and the answers, one per invitation.

Revision ID: 3a7e00000003
Revises: 3a7e00000002
Create Date: 2026-12-06 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from core.api import UTCDateTime

revision = "3a7e00000003"
down_revision = "3a7e00000002"
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:
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


def upgrade():
    op.create_table(
        "marketing_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_marketing_survey_owner_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_survey")),
    )
    op.create_index("ix_marketing_survey_trigger", "marketing_survey", ["trigger", "status"])
    op.create_index(op.f("ix_marketing_survey_owner_id"), "marketing_survey", ["owner_id"])
    op.create_index(  # the recycle bin's: only the deleted rows (SoftDeleteMixin's)
        "ix_marketing_survey_deleted_at",
        "marketing_survey",
        ["deleted_at"],
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )
    op.create_table(
        "marketing_survey_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=80), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("sent_to", sa.String(length=254), nullable=True),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["marketing_survey.id"],
            name=op.f("fk_marketing_survey_invitation_survey_id_marketing_survey"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_marketing_survey_invitation_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_marketing_survey_invitation_owner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_marketing_survey_invitation_team_id_team")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_marketing_survey_invitation_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_survey_invitation")),
        sa.UniqueConstraint(
            "survey_id",
            "customer_id",
            "occasion",
            name=op.f("uq_marketing_survey_invitation_survey_id_customer_id_occasion"),
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_marketing_survey_invitation_token_hash")),
    )
    for name, columns in (
        ("ix_marketing_survey_invitation_scope", ["owner_id", "team_id"]),
        (op.f("ix_marketing_survey_invitation_survey_id"), ["survey_id"]),
        (op.f("ix_marketing_survey_invitation_customer_id"), ["customer_id"]),
        (op.f("ix_marketing_survey_invitation_team_id"), ["team_id"]),
        (op.f("ix_marketing_survey_invitation_sent_at"), ["sent_at"]),
    ):
        op.create_index(name, "marketing_survey_invitation", columns)
    op.create_table(
        "marketing_survey_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["marketing_survey_invitation.id"],
            name=op.f("fk_marketing_survey_response_invitation_id_marketing_survey_invitation"),
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["marketing_survey.id"],
            name=op.f("fk_marketing_survey_response_survey_id_marketing_survey"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_marketing_survey_response_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_marketing_survey_response_owner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_marketing_survey_response_team_id_team")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["activity.id"], name=op.f("fk_marketing_survey_response_task_id_activity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_survey_response")),
        sa.UniqueConstraint(
            "invitation_id", name=op.f("uq_marketing_survey_response_invitation_id")
        ),
    )
    for name, columns in (
        ("ix_marketing_survey_response_scope", ["owner_id", "team_id"]),
        ("ix_marketing_survey_response_customer", ["customer_id", "answered_at"]),
        (op.f("ix_marketing_survey_response_survey_id"), ["survey_id"]),
        (op.f("ix_marketing_survey_response_team_id"), ["team_id"]),
        (op.f("ix_marketing_survey_response_answered_at"), ["answered_at"]),
    ):
        op.create_index(name, "marketing_survey_response", columns)


def downgrade():
    op.drop_table("marketing_survey_response")
    op.drop_table("marketing_survey_invitation")
    op.drop_index("ix_marketing_survey_deleted_at", table_name="marketing_survey")
    op.drop_index(op.f("ix_marketing_survey_owner_id"), table_name="marketing_survey")
    op.drop_index("ix_marketing_survey_trigger", table_name="marketing_survey")
    op.drop_table("marketing_survey")
