"""his: the outpatient visit's record

A visit now comes from a registration (``booking_id``, one visit per
registration), belongs to a department by id, and holds the doctor's record
— chief complaint, history, examination — open until the doctor closes it.
Visits recorded before stay as they were, closed.

Revision ID: 415000000005
Revises: 415000000004
Create Date: 2026-12-05 23:10:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "415000000005"
down_revision = "415000000004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("his_visit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booking_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), nullable=False, server_default="closed")
        )
        batch_op.add_column(sa.Column("chief_complaint", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("history", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("examination", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("closed_at", core.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_his_visit_booking_id_his_booking", "his_booking", ["booking_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_his_visit_department_id_his_department", "his_department", ["department_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_his_visit_closed_by_id_user_account", "user_account", ["closed_by_id"], ["id"]
        )
        batch_op.create_index("ix_his_visit_booking_id", ["booking_id"], unique=True)
        batch_op.create_index("ix_his_visit_department_id", ["department_id"], unique=False)
    with op.batch_alter_table("his_visit", schema=None) as batch_op:
        batch_op.alter_column("status", server_default="open")


def downgrade():
    with op.batch_alter_table("his_visit", schema=None) as batch_op:
        batch_op.drop_index("ix_his_visit_department_id")
        batch_op.drop_index("ix_his_visit_booking_id")
        batch_op.drop_constraint("fk_his_visit_closed_by_id_user_account", type_="foreignkey")
        batch_op.drop_constraint("fk_his_visit_department_id_his_department", type_="foreignkey")
        batch_op.drop_constraint("fk_his_visit_booking_id_his_booking", type_="foreignkey")
        for column in (
            "closed_by_id",
            "closed_at",
            "examination",
            "history",
            "chief_complaint",
            "status",
            "department_id",
            "booking_id",
        ):
            batch_op.drop_column(column)
