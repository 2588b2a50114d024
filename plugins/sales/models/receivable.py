"""Receivable plans (回款计划): a contract's instalments, and the payments
collected (回款) against them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Customer,
    SoftDeleteMixin,
    TimestampMixin,
    User,
    UTCDateTime,
    VersionedMixin,
    db,
    translator,
)

from .contract import Contract

_, _l = translator("sales")

#: how a payment came in
PAYMENT_METHODS = ("bank_transfer", "cash", "cheque", "card", "alipay", "wechat_pay", "other")
#: pending: recorded, waiting for approval (it counts once confirmed);
#: rejected by the approver; reversed after it counted (the money went back)
PAYMENT_STATUSES = ("pending", "confirmed", "rejected", "withdrawn", "reversed")


class Instalment(TimestampMixin, VersionedMixin, db.Model):
    """One instalment of a contract's receivable plan: ``amount`` due on
    ``due_date`` (the instalments of a contract sum to its amount).
    ``collected`` is what confirmed payments brought in against it;
    ``settled_on`` the day it was paid in full (None while anything is
    open). ``customer_id``, ``owner_id``, ``team_id`` and ``currency`` are the contract's,
    copied so the collection list and aging read one table."""

    __tablename__ = "sales_instalment"
    __label__ = _l("Instalment")  # how the audit log names it
    __table_args__ = (
        Index("uq_sales_instalment_contract_number", "contract_id", "number", unique=True),
        # what is still open (the collection list, aging, overdue), each index
        # holding every column those read so no row is looked up: oldest due
        # first for everyone, for one owner, and per currency and owner
        Index(
            "ix_sales_instalment_open",
            *("due_date", "id", "currency", "owner_id", "team_id", "customer_id"),
            *("amount", "collected"),
            sqlite_where=text("settled_on IS NULL"),
            postgresql_where=text("settled_on IS NULL"),
        ),
        Index(
            "ix_sales_instalment_owner_open",
            *("owner_id", "due_date", "id", "currency", "customer_id", "amount", "collected"),
            sqlite_where=text("settled_on IS NULL"),
            postgresql_where=text("settled_on IS NULL"),
        ),
        Index(
            "ix_sales_instalment_aging",
            *("currency", "owner_id", "due_date", "amount", "collected", "customer_id"),
            "team_id",
            sqlite_where=text("settled_on IS NULL"),
            postgresql_where=text("settled_on IS NULL"),
        ),
        # what fell due in a period, settled or not (the collection rate)
        Index(
            "ix_sales_instalment_due",
            *("due_date", "currency", "owner_id", "team_id", "customer_id", "amount"),
            "collected",
        ),
    )

    contract_id: Mapped[int] = mapped_column(ForeignKey("sales_contract.id"))
    number: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    collected: Mapped[Decimal] = mapped_column(
        Numeric(14, 2), default=Decimal("0"), server_default="0"
    )
    settled_on: Mapped[date | None] = mapped_column(Date)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    note: Mapped[str | None] = mapped_column(String(200))

    contract: Mapped[Contract] = relationship(Contract)
    customer: Mapped[Customer] = relationship()
    owner: Mapped[User | None] = relationship()


class Payment(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """回款: money received against a contract's instalment, on ``paid_on``,
    by ``method`` with the bank's ``reference``. It counts towards the
    instalment and the contract only while ``confirmed``; a reversal keeps
    the row (and takes back the commission paid on it)."""

    __tablename__ = "sales_payment"
    __label__ = _l("Payment")  # how the audit log names it
    __table_args__ = (
        # money collected in a period (reports, targets, commission): every
        # column they read, live payments only; and reversals by their day
        Index(
            "ix_sales_payment_paid",
            *("paid_on", "status", "owner_id", "team_id", "currency", "amount", "customer_id"),
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_sales_payment_reversed",
            *("reversed_at", "owner_id", "team_id", "currency", "amount", "customer_id"),
            sqlite_where=text("status = 'reversed'"),
            postgresql_where=text("status = 'reversed'"),
        ),
        Index("ix_sales_payment_updated", "updated_at", "id"),
    )

    contract_id: Mapped[int] = mapped_column(ForeignKey("sales_contract.id"), index=True)
    instalment_id: Mapped[int | None] = mapped_column(ForeignKey("sales_instalment.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20), default="bank_transfer")
    reference: Mapped[str | None] = mapped_column(String(80))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversal_reason: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(200))

    contract: Mapped[Contract] = relationship(Contract)
    instalment: Mapped[Instalment | None] = relationship()
    customer: Mapped[Customer] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
