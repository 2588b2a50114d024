"""his: diagnoses and amendments of a visit

A visit's diagnoses are ICD-10 codes (one of them primary: a partial unique
index), each with the package's English description and a local name the
doctor may fill; an amendment records a change to a closed visit — the
field, its old and new value, the reason, who and when.

Revision ID: 415000000006
Revises: 415000000005
Create Date: 2026-12-05 23:20:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "415000000006"
down_revision = "415000000005"
branch_labels = None
depends_on = None

PRIMARY = "is_primary"


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
    ]


def upgrade():
    op.create_table(
        "his_diagnosis",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("local_name", sa.String(length=200), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["his_visit.id"], name=op.f("fk_his_diagnosis_visit_id_his_visit")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_his_diagnosis_author_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_diagnosis")),
        sa.UniqueConstraint("visit_id", "code", name="uq_his_diagnosis_visit_code"),
    )
    with op.batch_alter_table("his_diagnosis", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_his_diagnosis_visit_id"), ["visit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_his_diagnosis_code"), ["code"], unique=False)
        batch_op.create_index(
            "uq_his_diagnosis_primary",
            ["visit_id"],
            unique=True,
            sqlite_where=sa.text(PRIMARY),
            postgresql_where=sa.text(PRIMARY),
        )
    op.create_table(
        "his_visit_amendment",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("amended_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["his_visit.id"], name=op.f("fk_his_visit_amendment_visit_id_his_visit")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_his_visit_amendment_author_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_visit_amendment")),
    )
    with op.batch_alter_table("his_visit_amendment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_his_visit_amendment_visit_id"), ["visit_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("his_visit_amendment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_his_visit_amendment_visit_id"))
    op.drop_table("his_visit_amendment")
    with op.batch_alter_table("his_diagnosis", schema=None) as batch_op:
        batch_op.drop_index("uq_his_diagnosis_primary")
        batch_op.drop_index(batch_op.f("ix_his_diagnosis_code"))
        batch_op.drop_index(batch_op.f("ix_his_diagnosis_visit_id"))
    op.drop_table("his_diagnosis")
