"""his: revenue cells — the money added up by local day for the revenue report

The revenue report summed every charge line of the period's payments and
looked each line's department up through its visit or registration: 0.9-24 s
at 4,000,000 charge lines (issue 18). Now:

- ``his_charge.department_id``: the department of the line's visit, else of
  its registration, copied when the line is written;
- ``his_payment.departments``: the key of its charges' departments
  (``",3,7,"``);
- ``his_revenue_cell``: the charges paid and given back by local day,
  department, category and currency;
- ``his_revenue_method_cell``: the tenders taken and the refunds paid out by
  local day, payment's departments, method and currency.

The copies and the cells are filled from the existing rows with set-based
statements (``services.billing.revenue_rebuild``, the plugin's rebuild), the
days in the instance's time zone. Downgrade drops them: the report of that
revision reads the charge lines.

Revision ID: 415000000013
Revises: 415000000012
Create Date: 2026-12-06 06:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "415000000013"
down_revision = "415000000012"
branch_labels = None
depends_on = None


def _count(name: str, big: bool = False) -> sa.Column:
    return sa.Column(name, sa.BigInteger() if big else sa.Integer(), nullable=False)


def upgrade():
    from plugins.his.services.billing.revenue_rebuild import rebuild_revenue_cells

    op.add_column("his_charge", sa.Column("department_id", sa.Integer(), nullable=True))
    op.add_column("his_payment", sa.Column("departments", sa.Text(), nullable=True))
    op.create_table(
        "his_revenue_cell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=12), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _count("charged_cents", big=True),
        _count("charged_lines"),
        _count("refunded_cents", big=True),
        _count("refunded_lines"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_revenue_cell")),
    )
    op.create_index(
        "uq_his_revenue_cell",
        "his_revenue_cell",
        ["day", "department_id", "category", "currency"],
        unique=True,
    )
    op.create_table(
        "his_revenue_method_cell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("departments", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _count("taken_cents", big=True),
        _count("tenders"),
        _count("refunded_cents", big=True),
        _count("refunds"),
        _count("untied_cents", big=True),
        _count("untied_refunds"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_revenue_method_cell")),
    )
    op.create_index(
        "uq_his_revenue_method_cell",
        "his_revenue_method_cell",
        ["day", "departments", "method", "currency"],
        unique=True,
    )
    rebuild_revenue_cells(op.get_bind())


def downgrade():
    op.drop_index("uq_his_revenue_method_cell", table_name="his_revenue_method_cell")
    op.drop_table("his_revenue_method_cell")
    op.drop_index("uq_his_revenue_cell", table_name="his_revenue_cell")
    op.drop_table("his_revenue_cell")
    with op.batch_alter_table("his_payment", schema=None) as batch_op:
        batch_op.drop_column("departments")
    with op.batch_alter_table("his_charge", schema=None) as batch_op:
        batch_op.drop_column("department_id")
