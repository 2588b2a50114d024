"""his: indexes the hospital benchmark asked for (issue 18)

- ``ix_his_booking_day_department`` (day, department_id, status): the
  bookings of a period or a day across departments — the bookings report,
  today's registrations on the dashboard — read by day first; the existing
  ``ix_his_booking_day`` (department_id, day, status) stays for one
  department's day and its queue board.
- ``ix_his_refund_status_refunded`` (status, refunded_at): the refunds paid
  out in a period (the revenue report, a cashier's settlement) found by
  their state and day instead of every refunded row.

Revision ID: 415000000011
Revises: 415000000010
Create Date: 2026-12-06 02:40:00
"""

from alembic import op

revision = "415000000011"
down_revision = "415000000010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_his_booking_day_department", "his_booking", ["day", "department_id", "status"]
    )
    op.create_index("ix_his_refund_status_refunded", "his_refund", ["status", "refunded_at"])


def downgrade():
    op.drop_index("ix_his_refund_status_refunded", table_name="his_refund")
    op.drop_index("ix_his_booking_day_department", table_name="his_booking")
