"""his: inpatient care, first slice (issue 19) — wards, beds, admissions
(入院) with their deposits (预交金); follow-up templates learn what starts
their plans (``starts_after``: a closed visit or a discharge).

One open admission per patient is a partial unique index. Downgrade drops
the tables and the column.

Revision ID: 415000000015
Revises: 415000000014
Create Date: 2026-12-06 21:10:00
"""

import sqlalchemy as sa
from alembic import op

import core.api

revision = "415000000015"
down_revision = "415000000014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "his_ward",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            core.api.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            core.api.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["his_department.id"],
            name=op.f("fk_his_ward_department_id_his_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_ward")),
        sa.UniqueConstraint("code", name=op.f("uq_his_ward_code")),
    )
    with op.batch_alter_table("his_ward", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_his_ward_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "his_bed",
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=10), server_default="free", nullable=False),
        sa.Column("admission_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            core.api.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            core.api.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ward_id"], ["his_ward.id"], name=op.f("fk_his_bed_ward_id_his_ward")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_bed")),
    )
    with op.batch_alter_table("his_bed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_his_bed_admission_id"), ["admission_id"], unique=False)
        batch_op.create_index("uq_his_bed_code", ["ward_id", "code"], unique=True)

    op.create_table(
        "his_admission",
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("bed_id", sa.Integer(), nullable=True),
        sa.Column("doctor_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("admitted_at", core.api.UTCDateTime(timezone=True), nullable=False),
        sa.Column("diagnosis_code", sa.String(length=10), nullable=False),
        sa.Column("diagnosis_name", sa.String(length=300), nullable=False),
        sa.Column("discharged_at", core.api.UTCDateTime(timezone=True), nullable=True),
        sa.Column("discharged_by_id", sa.Integer(), nullable=True),
        sa.Column("discharge_code", sa.String(length=10), nullable=True),
        sa.Column("discharge_name", sa.String(length=300), nullable=True),
        sa.Column("discharge_note", sa.Text(), nullable=True),
        sa.Column("followup_plan_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            core.api.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            core.api.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bed_id"], ["his_bed.id"], name=op.f("fk_his_admission_bed_id_his_bed")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_his_admission_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["his_department.id"],
            name=op.f("fk_his_admission_department_id_his_department"),
        ),
        sa.ForeignKeyConstraint(
            ["discharged_by_id"],
            ["user_account.id"],
            name=op.f("fk_his_admission_discharged_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["doctor_id"], ["user_account.id"], name=op.f("fk_his_admission_doctor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["followup_plan_id"],
            ["his_followup_plan.id"],
            name=op.f("fk_his_admission_followup_plan_id_his_followup_plan"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_his_admission_team_id_team")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["his_visit.id"], name=op.f("fk_his_admission_visit_id_his_visit")
        ),
        sa.ForeignKeyConstraint(
            ["ward_id"], ["his_ward.id"], name=op.f("fk_his_admission_ward_id_his_ward")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_admission")),
        sa.UniqueConstraint("number", name=op.f("uq_his_admission_number")),
    )
    with op.batch_alter_table("his_admission", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_his_admission_admitted_at"), ["admitted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_his_admission_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_his_admission_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_his_admission_doctor_id"), ["doctor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_his_admission_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_his_admission_visit_id"), ["visit_id"], unique=False)
        batch_op.create_index("ix_his_admission_ward", ["ward_id", "status"], unique=False)
        batch_op.create_index(
            "uq_his_admission_open",
            ["customer_id"],
            unique=True,
            sqlite_where=sa.text("status = 'admitted'"),
            postgresql_where=sa.text("status = 'admitted'"),
        )

    op.create_table(
        "his_deposit",
        sa.Column("admission_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("received_at", core.api.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            core.api.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            core.api.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["admission_id"],
            ["his_admission.id"],
            name=op.f("fk_his_deposit_admission_id_his_admission"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_his_deposit_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"],
            ["user_account.id"],
            name=op.f("fk_his_deposit_received_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_deposit")),
    )
    with op.batch_alter_table("his_deposit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_his_deposit_admission_id"), ["admission_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_his_deposit_customer_id"), ["customer_id"], unique=False
        )

    with op.batch_alter_table("his_followup_template", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("starts_after", sa.String(length=10), server_default="visit", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("his_followup_template", schema=None) as batch_op:
        batch_op.drop_column("starts_after")

    with op.batch_alter_table("his_deposit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_his_deposit_customer_id"))
        batch_op.drop_index(batch_op.f("ix_his_deposit_admission_id"))

    op.drop_table("his_deposit")
    with op.batch_alter_table("his_admission", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_his_admission_open",
            sqlite_where=sa.text("status = 'admitted'"),
            postgresql_where=sa.text("status = 'admitted'"),
        )
        batch_op.drop_index("ix_his_admission_ward")
        batch_op.drop_index(batch_op.f("ix_his_admission_visit_id"))
        batch_op.drop_index(batch_op.f("ix_his_admission_team_id"))
        batch_op.drop_index(batch_op.f("ix_his_admission_doctor_id"))
        batch_op.drop_index(batch_op.f("ix_his_admission_department_id"))
        batch_op.drop_index(batch_op.f("ix_his_admission_customer_id"))
        batch_op.drop_index(batch_op.f("ix_his_admission_admitted_at"))

    op.drop_table("his_admission")
    with op.batch_alter_table("his_bed", schema=None) as batch_op:
        batch_op.drop_index("uq_his_bed_code")
        batch_op.drop_index(batch_op.f("ix_his_bed_admission_id"))

    op.drop_table("his_bed")
    with op.batch_alter_table("his_ward", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_his_ward_department_id"))

    op.drop_table("his_ward")
