"""patients and departments: the medical record beside a customer of kind
person (MRN, sex, birth date, encrypted national ID, guardian, emergency
contact, allergies, chronic conditions, death), and clinical departments
tied to core teams.

Revision ID: 415000000002
Revises: 415000000001
Create Date: 2026-12-05 19:50:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base
import core.pii

revision = "415000000002"
down_revision = "415000000001"
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:
    now = sa.text("(CURRENT_TIMESTAMP)")
    return [
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
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade():
    op.create_table(
        "his_patient",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("mrn", sa.String(length=20), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("id_type", sa.String(length=8), nullable=True),
        sa.Column("national_id", core.pii.Encrypted(), nullable=True),
        sa.Column("national_id_lookup", sa.String(length=64), nullable=True),
        sa.Column("national_id_tail", sa.String(length=4), nullable=True),
        sa.Column("guardian_name", sa.String(length=120), nullable=True),
        sa.Column("guardian_relation", sa.String(length=40), nullable=True),
        sa.Column("guardian_phone", sa.String(length=40), nullable=True),
        sa.Column("emergency_name", sa.String(length=120), nullable=True),
        sa.Column("emergency_relation", sa.String(length=40), nullable=True),
        sa.Column("emergency_phone", sa.String(length=40), nullable=True),
        sa.Column("allergies", sa.JSON(), nullable=False),
        sa.Column("chronic_conditions", sa.JSON(), nullable=False),
        sa.Column("deceased", sa.Boolean(), nullable=False),
        sa.Column("deceased_on", sa.Date(), nullable=True),
        sa.Column("online_booking_suspended_until", sa.Date(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_his_patient_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_patient")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_his_patient_customer_id")),
        sa.UniqueConstraint("mrn", name=op.f("uq_his_patient_mrn")),
    )
    with op.batch_alter_table("his_patient", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_his_patient_national_id_lookup"), ["national_id_lookup"], unique=True
        )
    op.create_table(
        "his_department",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_his_department_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_department")),
        sa.UniqueConstraint("code", name=op.f("uq_his_department_code")),
        sa.UniqueConstraint("team_id", name=op.f("uq_his_department_team_id")),
    )


def downgrade():
    op.drop_table("his_department")
    with op.batch_alter_table("his_patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_his_patient_national_id_lookup"))
    op.drop_table("his_patient")
