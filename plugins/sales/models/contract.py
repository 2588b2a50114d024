"""Contracts (合同) and their amendments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Contact,
    Customer,
    SoftDeleteMixin,
    TimestampMixin,
    User,
    UTCDateTime,
    VersionedMixin,
    db,
    instance_currency,
    translator,
    utcnow,
)

from .deal import Deal
from .quote import Quote

_, _l = translator("sales")

#: draft → pending (waiting for approval, locked by the engine) → approved →
#: signed → active (in progress) → completed; or terminated with a reason
CONTRACT_STATUSES = ("draft", "pending", "approved", "signed", "active", "completed", "terminated")


class Contract(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """合同: what a customer signed to buy, for ``amount`` in ``currency``,
    from ``start_date`` to ``end_date``. ``number`` comes from the
    ``sales.contract`` sequence (its pattern is a plugin setting).
    ``amendment`` counts the amendments; each keeps what it changed
    (:class:`ContractAmendment`). ``collected`` and ``invoiced`` are kept by
    the payments and invoices (confirmed ones only), so lists and reports
    read them without adding up."""

    __tablename__ = "sales_contract"
    __label__ = _l("Contract")  # how the audit log names it
    __table_args__ = (
        Index("ix_sales_contract_updated", "updated_at", "id"),
        Index("ix_sales_contract_owner_status", "owner_id", "status", "end_date"),
        # contracted in a period (reports, targets, DSO): every column they read
        Index(
            "ix_sales_contract_signed",
            *("signed_date", "owner_id", "team_id", "currency", "amount", "customer_id"),
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    #: who signs for the customer
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("sales_deal.id"), index=True)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("sales_quote.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default=instance_currency)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, index=True)
    signed_date: Mapped[date | None] = mapped_column(Date)
    terms: Mapped[str | None] = mapped_column(Text)
    amendment: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    termination_reason: Mapped[str | None] = mapped_column(String(200))
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    collected: Mapped[Decimal] = mapped_column(
        Numeric(14, 2), default=Decimal("0"), server_default="0"
    )
    invoiced: Mapped[Decimal] = mapped_column(
        Numeric(14, 2), default=Decimal("0"), server_default="0"
    )

    customer: Mapped[Customer] = relationship()
    contact: Mapped[Contact | None] = relationship()
    deal: Mapped[Deal | None] = relationship()
    quote: Mapped[Quote | None] = relationship()
    owner: Mapped[User | None] = relationship()
    amendments: Mapped[list[ContractAmendment]] = relationship(
        order_by="ContractAmendment.number", viewonly=True
    )


class ContractAmendment(TimestampMixin, db.Model):
    """One amendment (变更) of a contract: what changed (``changes``:
    ``{field: [before, after]}``, values as text), why, who, when. The
    contract holds the values in force; its amendments are its history."""

    __tablename__ = "sales_contract_amendment"

    contract_id: Mapped[int] = mapped_column(ForeignKey("sales_contract.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()
