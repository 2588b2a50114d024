"""core: automation rules and their runs

``automation_rule`` holds a trigger (an event, or a field changing to a
value), conditions and actions; ``automation_run`` is a rule's run on one
event: written in the transaction of the change, run by a job after it
commits, retried with back-off, and kept as the log.

Revision ID: c0de00000023
Revises: c0de00000022
Create Date: 2026-12-06 17:00:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "c0de00000023"
down_revision = "c0de00000022"
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
        "automation_rule",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("trigger", sa.JSON(), nullable=False),
        sa.Column("event", sa.String(length=100), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("last_assigned_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", core.models.base.UTCDateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_automation_rule_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["last_assigned_id"],
            ["user_account.id"],
            name=op.f("fk_automation_rule_last_assigned_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_rule")),
    )
    with op.batch_alter_table("automation_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_automation_rule_event"), ["event"], unique=False)
        batch_op.create_index(
            "ix_automation_rule_deleted_at",
            ["deleted_at"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NOT NULL"),
            postgresql_where=sa.text("deleted_at IS NOT NULL"),
        )
    op.create_table(
        "automation_run",
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=100), nullable=False),
        sa.Column("record_type", sa.String(length=100), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("finished_at", core.models.base.UTCDateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["automation_rule.id"],
            name=op.f("fk_automation_run_rule_id_automation_rule"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_run")),
    )
    with op.batch_alter_table("automation_run", schema=None) as batch_op:
        batch_op.create_index("ix_automation_run_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_automation_run_rule", ["rule_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("automation_run", schema=None) as batch_op:
        batch_op.drop_index("ix_automation_run_rule")
        batch_op.drop_index("ix_automation_run_due")
    op.drop_table("automation_run")
    with op.batch_alter_table("automation_rule", schema=None) as batch_op:
        batch_op.drop_index("ix_automation_rule_deleted_at")
        batch_op.drop_index(batch_op.f("ix_automation_rule_event"))
    op.drop_table("automation_rule")
