"""core: schedule and date triggers of automation rules

``automation_rule.next_run_at`` is a schedule or date rule's next slot,
claimed by a conditional UPDATE so that no slot runs twice;
``automation_run.slot`` is the slot (a schedule) or the date (a date
trigger) a run is for, unique per rule and record, so that a date rule runs
once per (rule, record, date).

Revision ID: c0de00000026
Revises: c0de00000025
Create Date: 2026-12-06 17:46:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "c0de00000026"
down_revision = "c0de00000025"
branch_labels = None
depends_on = None

UNIQUE = "uq_automation_run_rule_id_record_type_record_id_slot"


def upgrade():
    with op.batch_alter_table("automation_rule", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_run_at", core.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_automation_rule_next_run_at"), ["next_run_at"], unique=False
        )
    with op.batch_alter_table("automation_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(UNIQUE, ["rule_id", "record_type", "record_id", "slot"])


def downgrade():
    with op.batch_alter_table("automation_run", schema=None) as batch_op:
        batch_op.drop_constraint(UNIQUE, type_="unique")
        batch_op.drop_column("slot")
    with op.batch_alter_table("automation_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_automation_rule_next_run_at"))
        batch_op.drop_column("next_run_at")
