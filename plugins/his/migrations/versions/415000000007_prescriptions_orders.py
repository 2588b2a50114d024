"""his: formulary, prescriptions and examination orders

The formulary (his_drug); prescriptions (处方) of a visit with their lines
and the recorded overrides of their warnings; examination orders (检查/检验)
of a visit with their results.

Revision ID: 415000000007
Revises: 415000000006
Create Date: 2026-12-05 23:20:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "415000000007"
down_revision = "415000000006"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, core.models.base.UTCDateTime(timezone=True), nullable=nullable)


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


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade():
    op.create_table(
        "his_drug",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("generic_name", sa.String(length=120), nullable=False),
        sa.Column("brand_name", sa.String(length=120), nullable=True),
        sa.Column("name_zh", sa.String(length=120), nullable=True),
        sa.Column("form", sa.String(length=40), nullable=False),
        sa.Column("strength", sa.String(length=40), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=True),
        sa.Column("price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("category", sa.String(length=3), nullable=False),
        sa.Column("allergen_class", sa.String(length=120), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_drug")),
        sa.UniqueConstraint("code", name=op.f("uq_his_drug_code")),
    )
    _indexes("his_drug", "generic_name")
    op.create_table(
        "his_prescription",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        _when("signed_at"),
        _when("cancelled_at"),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        *_stamps(),
        _fk("his_prescription", "visit_id", "his_visit"),
        _fk("his_prescription", "customer_id", "customer"),
        _fk("his_prescription", "doctor_id", "user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_prescription")),
        sa.UniqueConstraint("number", name=op.f("uq_his_prescription_number")),
    )
    _indexes("his_prescription", "customer_id", "doctor_id", "visit_id")
    op.create_table(
        "his_prescription_line",
        sa.Column("prescription_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("drug_id", sa.Integer(), nullable=False),
        sa.Column("dose", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("dose_unit", sa.String(length=20), nullable=False),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        *_stamps(versioned=False),
        _fk("his_prescription_line", "prescription_id", "his_prescription"),
        _fk("his_prescription_line", "drug_id", "his_drug"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_prescription_line")),
    )
    _indexes("his_prescription_line", "drug_id", "prescription_id")
    op.create_table(
        "his_rx_override",
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("warning", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        _when("at", nullable=False),
        *_stamps(versioned=False),
        _fk("his_rx_override", "line_id", "his_prescription_line"),
        _fk("his_rx_override", "by_id", "user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_rx_override")),
    )
    _indexes("his_rx_override", "line_id")
    op.create_table(
        "his_exam_order",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("item_code", sa.String(length=32), nullable=False),
        sa.Column("item_name", sa.String(length=120), nullable=False),
        sa.Column("price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("ordered_by_id", sa.Integer(), nullable=True),
        sa.Column("result_text", sa.Text(), nullable=True),
        sa.Column("result_value", sa.String(length=40), nullable=True),
        sa.Column("result_unit", sa.String(length=20), nullable=True),
        sa.Column("result_flag", sa.String(length=10), nullable=True),
        _when("resulted_at"),
        sa.Column("resulted_by_id", sa.Integer(), nullable=True),
        _when("cancelled_at"),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        *_stamps(),
        _fk("his_exam_order", "visit_id", "his_visit"),
        _fk("his_exam_order", "customer_id", "customer"),
        _fk("his_exam_order", "ordered_by_id", "user_account"),
        _fk("his_exam_order", "resulted_by_id", "user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_exam_order")),
        sa.UniqueConstraint("number", name=op.f("uq_his_exam_order_number")),
    )
    _indexes("his_exam_order", "customer_id", "status", "visit_id")


def downgrade():
    for table in (
        "his_exam_order",
        "his_rx_override",
        "his_prescription_line",
        "his_prescription",
        "his_drug",
    ):
        op.drop_table(table)
