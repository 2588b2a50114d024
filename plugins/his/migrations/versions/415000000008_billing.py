"""his: price list, charges, payments, refunds, settlements

Billing (收费): the price list; the charges a patient owes, named by the
record they come from; payments (receipts) with their tenders; refunds
through the approval engine; each cashier's daily settlement (日结).

Revision ID: 415000000008
Revises: 415000000007
Create Date: 2026-12-05 23:20:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "415000000008"
down_revision = "415000000007"
branch_labels = None
depends_on = None


def _money(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Numeric(precision=12, scale=2), nullable=nullable)


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, core.models.base.UTCDateTime(timezone=True), nullable=nullable)


def _stamps(table: str, versioned: bool = False) -> list:
    now = sa.text("(CURRENT_TIMESTAMP)")
    columns: list = [
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
    columns.append(sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")))
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
        "his_price_item",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_zh", sa.String(length=120), nullable=True),
        sa.Column("category", sa.String(length=12), nullable=False),
        _money("price"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_stamps("his_price_item", versioned=True),
        sa.UniqueConstraint("code", name=op.f("uq_his_price_item_code")),
    )
    _indexes("his_price_item", "category")
    op.create_table(
        "his_settlement",
        sa.Column("cashier_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("collected", sa.JSON(), nullable=False),
        sa.Column("refunded", sa.JSON(), nullable=False),
        sa.Column("payment_count", sa.Integer(), nullable=False),
        sa.Column("refund_count", sa.Integer(), nullable=False),
        _money("total_collected"),
        _money("total_refunded"),
        _money("cash_in_drawer"),
        _when("closed_at", nullable=False),
        *_stamps("his_settlement"),
        _fk("his_settlement", "cashier_id", "user_account"),
    )
    with op.batch_alter_table("his_settlement", schema=None) as batch_op:
        batch_op.create_index("uq_his_settlement_day", ["cashier_id", "day"], unique=True)
    op.create_table(
        "his_payment",
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("cashier_id", sa.Integer(), nullable=True),
        _when("paid_at", nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _money("total"),
        _money("covered"),
        _money("change"),
        _money("refunded"),
        sa.Column("settlement_id", sa.Integer(), nullable=True),
        *_stamps("his_payment"),
        _fk("his_payment", "customer_id", "customer"),
        _fk("his_payment", "cashier_id", "user_account"),
        _fk("his_payment", "settlement_id", "his_settlement"),
        sa.UniqueConstraint("number", name=op.f("uq_his_payment_number")),
    )
    _indexes("his_payment", "customer_id", "paid_at", "settlement_id")
    with op.batch_alter_table("his_payment", schema=None) as batch_op:
        batch_op.create_index("ix_his_payment_cashier", ["cashier_id", "settlement_id"])
    op.create_table(
        "his_payment_tender",
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        _money("amount"),
        _money("tendered", nullable=True),
        sa.Column("payer", sa.String(length=120), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        *_stamps("his_payment_tender"),
        _fk("his_payment_tender", "payment_id", "his_payment"),
    )
    _indexes("his_payment_tender", "payment_id")
    op.create_table(
        "his_refund",
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        _money("amount"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        _when("decided_at"),
        _when("refunded_at"),
        sa.Column("refunded_by_id", sa.Integer(), nullable=True),
        sa.Column("settlement_id", sa.Integer(), nullable=True),
        *_stamps("his_refund", versioned=True),
        _fk("his_refund", "payment_id", "his_payment"),
        _fk("his_refund", "customer_id", "customer"),
        _fk("his_refund", "requested_by_id", "user_account"),
        _fk("his_refund", "refunded_by_id", "user_account"),
        _fk("his_refund", "settlement_id", "his_settlement"),
    )
    _indexes("his_refund", "payment_id", "customer_id", "status", "settlement_id")
    with op.batch_alter_table("his_refund", schema=None) as batch_op:
        batch_op.create_index("ix_his_refund_cashier", ["refunded_by_id", "settlement_id"])
    op.create_table(
        "his_charge",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=12), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        _money("unit_price"),
        _money("amount"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        *_stamps("his_charge", versioned=True),
        _fk("his_charge", "customer_id", "customer"),
        _fk("his_charge", "visit_id", "his_visit"),
        _fk("his_charge", "booking_id", "his_booking"),
        _fk("his_charge", "payment_id", "his_payment"),
        _fk("his_charge", "refund_id", "his_refund"),
    )
    _indexes("his_charge", "visit_id", "booking_id", "payment_id", "refund_id")
    with op.batch_alter_table("his_charge", schema=None) as batch_op:
        batch_op.create_index("ix_his_charge_source", ["source", "source_id"])
        batch_op.create_index("ix_his_charge_customer", ["customer_id", "status"])


def downgrade():
    for table in (
        "his_charge",
        "his_refund",
        "his_payment_tender",
        "his_payment",
        "his_settlement",
        "his_price_item",
    ):
        op.drop_table(table)
