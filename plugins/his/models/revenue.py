"""What the revenue report reads instead of every charge line of a period:
the money added up in advance by local day (see
``services.billing.revenue_cells``, which keeps them in the transaction that
pays or refunds).

Amounts are in cents (exact on every database); each measure has its count
beside it. A cell is never emptied: money taken and given back stays taken
and given back."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.api import db

#: the department key of a charge of no department
NO_DEPARTMENT = 0


class RevenueCell(db.Model):
    """One local day, department and charge category: the charge lines paid
    that day (by the payment's day) and those given back by the refunds paid
    out that day. ``department_id`` is the charge's (0: none)."""

    __tablename__ = "his_revenue_cell"
    __table_args__ = (
        Index("uq_his_revenue_cell", "day", "department_id", "category", "currency", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    department_id: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(12))
    currency: Mapped[str] = mapped_column(String(3))
    charged_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    charged_lines: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_lines: Mapped[int] = mapped_column(Integer, default=0)


class RevenueMethodCell(db.Model):
    """One local day, set of departments and payment method: the tenders of
    the payments taken that day and the refunds paid out that day by the
    method they went back by, of the payments whose charges are of
    ``departments`` (the payment's own key, ``",3,7,"``) — so that a payment
    of several departments' charges counts once for who sees them all and
    whole under each of them. ``untied_*``: the refunds of an amount rather
    than of named charges (part of ``refunded_*``)."""

    __tablename__ = "his_revenue_method_cell"
    __table_args__ = (
        Index(
            "uq_his_revenue_method_cell", "day", "departments", "method", "currency", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    departments: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3))
    taken_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    tenders: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    refunds: Mapped[int] = mapped_column(Integer, default=0)
    untied_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    untied_refunds: Mapped[int] = mapped_column(Integer, default=0)
