"""his: satisfaction surveys and complaints

Revision ID: 415000000010
Revises: 415000000009
Create Date: 2026-12-05 23:20:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "415000000010"
down_revision = "415000000009"
branch_labels = None
depends_on = None

UTC = core.models.base.UTCDateTime(timezone=True)


def _stamps():
    now = sa.text("(CURRENT_TIMESTAMP)")
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, server_default=now, nullable=False),
        sa.Column("updated_at", UTC, server_default=now, nullable=False),
    ]


def _fk(table, column, target):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade():
    op.create_table(
        "his_survey",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("doctor_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=True),
        sa.Column("sent_at", UTC, nullable=False),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        *_stamps(),
        _fk("his_survey", "visit_id", "his_visit"),
        _fk("his_survey", "customer_id", "customer"),
        _fk("his_survey", "department_id", "his_department"),
        _fk("his_survey", "doctor_id", "user_account"),
        _fk("his_survey", "team_id", "team"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_survey")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_his_survey_visit_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_his_survey_token_hash")),
    )
    for column in ("customer_id", "department_id", "doctor_id", "team_id", "sent_at"):
        op.create_index(op.f(f"ix_his_survey_{column}"), "his_survey", [column], unique=False)
    op.create_table(
        "his_complaint",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.Column("closed_at", UTC, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_stamps(),
        _fk("his_complaint", "customer_id", "customer"),
        _fk("his_complaint", "visit_id", "his_visit"),
        _fk("his_complaint", "department_id", "his_department"),
        _fk("his_complaint", "team_id", "team"),
        _fk("his_complaint", "handler_id", "user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_complaint")),
    )
    for column in (
        "customer_id",
        "visit_id",
        "department_id",
        "team_id",
        "status",
        "handler_id",
        "received_at",
    ):
        op.create_index(op.f(f"ix_his_complaint_{column}"), "his_complaint", [column], unique=False)


def downgrade():
    op.drop_table("his_complaint")
    op.drop_table("his_survey")
