"""Billing (收费): the price list, charges, payments with their tenders,
refunds and each cashier's daily settlement (日结).

A charge is one line a patient owes — the registration fee, a drug of a
prescription, a lab order — named by the record it came from (``source`` and
``source_id``), so that record can ask whether it is paid or void its unpaid
lines. A payment settles some of one patient's unpaid charges with one or
more tenders (cash, card, mobile, an insurance share) and carries a receipt
number without gaps. A refund gives back part of a payment once approved. A
settlement closes a cashier's payments and refunds not yet settled."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Customer, TimestampMixin, User, UTCDateTime, VersionedMixin, db, translator

_, _l = translator("his")

#: what a price item is
PRICE_CATEGORIES = (
    "registration",
    "consultation",
    "drug",
    "lab",
    "imaging",
    "procedure",
    "material",
    "other",
)
#: unpaid → paid → refunded; unpaid → void
CHARGE_STATES = ("unpaid", "paid", "void", "refunded")
#: how money is taken; ``insurance`` is the share a health policy covers
TENDER_METHODS = ("cash", "card", "wechat", "alipay", "insurance")
#: requested → approved → refunded; requested → rejected
REFUND_STATES = ("requested", "approved", "refunded", "rejected")
MONEY = Numeric(12, 2)


class PriceItem(TimestampMixin, VersionedMixin, db.Model):
    """One line of the price list; ``code`` is what charges name."""

    __tablename__ = "his_price_item"
    __label__ = _l("Price item")

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_zh: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(12), index=True)
    price: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Charge(TimestampMixin, VersionedMixin, db.Model):
    """One line a patient owes, from ``source`` (``booking``,
    ``prescription``, ``order`` …) record ``source_id``."""

    __tablename__ = "his_charge"
    __label__ = _l("Charge")
    __table_args__ = (
        Index("ix_his_charge_source", "source", "source_id"),
        Index("ix_his_charge_customer", "customer_id", "status"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("his_visit.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("his_booking.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int] = mapped_column(Integer)
    item_code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default="unpaid")
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("his_payment.id"), index=True)
    #: the refund asking for this charge back (while requested, approved or done)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("his_refund.id"), index=True)
    #: the department of its visit, else of its registration, copied when the
    #: line is written (a copy, not a link: what the revenue cells count by)
    department_id: Mapped[int | None] = mapped_column(Integer)

    customer: Mapped[Customer] = relationship()


class PatientPayment(TimestampMixin, db.Model):
    """A receipt: one patient's charges paid at once by one cashier."""

    __tablename__ = "his_payment"
    __label__ = _l("Payment")
    __table_args__ = (Index("ix_his_payment_cashier", "cashier_id", "settlement_id"),)

    number: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    cashier_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    #: the sum of the charges paid
    total: Mapped[Decimal] = mapped_column(MONEY)
    #: of which the insurance share
    covered: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    #: cash handed back
    change: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    #: refunded so far
    refunded: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("his_settlement.id"), index=True)
    #: the departments of its charges, written with it: ``",3,7,"`` (0 for a
    #: charge of none) — the key of its revenue cells by method
    departments: Mapped[str | None] = mapped_column(Text)

    customer: Mapped[Customer] = relationship()
    cashier: Mapped[User | None] = relationship()
    tenders: Mapped[list[PaymentTender]] = relationship(
        lambda: PaymentTender, order_by=lambda: PaymentTender.id, back_populates="payment"
    )
    charges: Mapped[list[Charge]] = relationship(
        Charge, order_by=Charge.id, foreign_keys=[Charge.payment_id], viewonly=True
    )


class PaymentTender(TimestampMixin, db.Model):
    """One way a payment was paid: ``amount`` counts towards the total;
    ``tendered`` is the cash handed over (``amount`` + change)."""

    __tablename__ = "his_payment_tender"

    payment_id: Mapped[int] = mapped_column(ForeignKey("his_payment.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    tendered: Mapped[Decimal | None] = mapped_column(MONEY)
    #: the insurer for an insurance share; a card or mobile transaction's reference
    payer: Mapped[str | None] = mapped_column(String(120))
    reference: Mapped[str | None] = mapped_column(String(64))

    payment: Mapped[PatientPayment] = relationship(PatientPayment, back_populates="tenders")


class Refund(TimestampMixin, VersionedMixin, db.Model):
    """Money given back from a payment, with the reason, after approval."""

    __tablename__ = "his_refund"
    __label__ = _l("Refund")
    __table_args__ = (
        Index("ix_his_refund_cashier", "refunded_by_id", "settlement_id"),
        # the refunds paid out in a period (revenue report, settlements)
        Index("ix_his_refund_status_refunded", "status", "refunded_at"),
    )

    payment_id: Mapped[int] = mapped_column(ForeignKey("his_payment.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    #: how the money goes back (one of TENDER_METHODS but ``insurance``)
    method: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="requested", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refunded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("his_settlement.id"), index=True)

    payment: Mapped[PatientPayment] = relationship(PatientPayment, foreign_keys=[payment_id])
    customer: Mapped[Customer] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])


class Settlement(TimestampMixin, db.Model):
    """A cashier's daily settlement (日结): the money taken and given back
    by method since the last one; one per cashier and day."""

    __tablename__ = "his_settlement"
    __label__ = _l("Settlement")
    __table_args__ = (Index("uq_his_settlement_day", "cashier_id", "day", unique=True),)

    cashier_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    day: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    #: {method: "collected"} and {method: "refunded"}, amounts as strings
    collected: Mapped[dict] = mapped_column(JSON, default=dict)
    refunded: Mapped[dict] = mapped_column(JSON, default=dict)
    payment_count: Mapped[int] = mapped_column(Integer, default=0)
    refund_count: Mapped[int] = mapped_column(Integer, default=0)
    total_collected: Mapped[Decimal] = mapped_column(MONEY)
    total_refunded: Mapped[Decimal] = mapped_column(MONEY)
    cash_in_drawer: Mapped[Decimal] = mapped_column(MONEY)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    cashier: Mapped[User] = relationship()
