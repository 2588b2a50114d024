"""his: follow-up templates, attempts and answers

Follow-up (随访) templates per department and diagnosis, the plans made
from them after a visit, their dated steps (each with its core task) and
the answers given on a call.

Revision ID: 415000000009
Revises: 415000000008
Create Date: 2026-12-05 23:20:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "415000000009"
down_revision = "415000000008"
branch_labels = None
depends_on = None


def _when(name: str) -> sa.Column:
    return sa.Column(name, core.models.base.UTCDateTime(timezone=True), nullable=True)


def _stamps(versioned: bool = True) -> list[sa.Column]:
    now = sa.text("(CURRENT_TIMESTAMP)")
    columns = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            core.models.base.UTCDateTime(timezone=True),
            server_default=now,
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            core.models.base.UTCDateTime(timezone=True),
            server_default=now,
            nullable=False,
        ),
    ]
    if versioned:
        columns.append(sa.Column("version", sa.Integer(), nullable=False))
    return columns


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade():
    op.create_table(
        "his_followup_template",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("diagnosis_prefix", sa.String(length=10), nullable=True),
        sa.Column("chronic", sa.Boolean(), nullable=False),
        sa.Column("offsets", sa.JSON(), nullable=False),
        sa.Column("repeat_months", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("attempts_before_lost", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        *_stamps(),
        _fk("his_followup_template", "department_id", "his_department"),
        _fk("his_followup_template", "plan_id", "followup_plan"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_followup_template")),
    )
    with op.batch_alter_table("his_followup_template", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_his_followup_template_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "his_followup_plan",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        _when("ended_at"),
        sa.Column("stop_reason", sa.String(length=200), nullable=True),
        *_stamps(),
        _fk("his_followup_plan", "customer_id", "customer"),
        _fk("his_followup_plan", "visit_id", "his_visit"),
        _fk("his_followup_plan", "template_id", "his_followup_template"),
        _fk("his_followup_plan", "owner_id", "user_account"),
        _fk("his_followup_plan", "team_id", "team"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_followup_plan")),
    )
    with op.batch_alter_table("his_followup_plan", schema=None) as batch_op:
        batch_op.create_index("ix_his_followup_plan_customer", ["customer_id", "status"])
        for column in ("visit_id", "template_id", "owner_id", "team_id", "ended_at"):
            batch_op.create_index(batch_op.f(f"ix_his_followup_plan_{column}"), [column])

    op.create_table(
        "his_followup_step",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("red_flag", sa.Boolean(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        _when("ended_at"),
        *_stamps(),
        _fk("his_followup_step", "plan_id", "his_followup_plan"),
        _fk("his_followup_step", "task_id", "activity"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_followup_step")),
    )
    with op.batch_alter_table("his_followup_step", schema=None) as batch_op:
        batch_op.create_index("ix_his_followup_step_due", ["status", "due_on"])
        batch_op.create_index(batch_op.f("ix_his_followup_step_plan_id"), ["plan_id"])
        batch_op.create_index(batch_op.f("ix_his_followup_step_due_on"), ["due_on"])

    op.create_table(
        "his_followup_answer",
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("question", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("red_flag", sa.Boolean(), nullable=False),
        *_stamps(versioned=False),
        _fk("his_followup_answer", "step_id", "his_followup_step"),
        _fk("his_followup_answer", "attempt_id", "activity"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_followup_answer")),
    )
    with op.batch_alter_table("his_followup_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_his_followup_answer_step_id"), ["step_id"])
        batch_op.create_index(batch_op.f("ix_his_followup_answer_attempt_id"), ["attempt_id"])


def downgrade():
    for table in (
        "his_followup_answer",
        "his_followup_step",
        "his_followup_plan",
        "his_followup_template",
    ):
        op.drop_table(table)
