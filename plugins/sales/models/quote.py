"""Quotes (报价单) and their lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text
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
)

from .deal import Deal
from .product import Product

_, _l = translator("sales")

#: a quote's life: a revision supersedes the one it revises; approval is the
#: engine's (a quote waiting for it is locked, still a draft)
QUOTE_STATUSES = ("draft", "sent", "accepted", "rejected", "expired", "superseded")


class Quote(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """报价单: what a deal's products cost this customer, until ``valid_until``.

    Every revision is a row of its own with the same ``number`` and the next
    ``revision``; the revised one is ``superseded`` and kept as it was.
    Money is exact: ``subtotal`` is the lines' list value less their own
    discounts, ``discount_percent`` the overall discount on it, ``tax_percent``
    the tax on what remains, ``total`` what the customer pays.
    ``effective_discount_percent`` is how far below the list price the whole
    quote is (what an approval flow's threshold tests)."""

    __tablename__ = "sales_quote"
    __label__ = _l("Quote")  # how the audit log names it
    __table_args__ = (
        Index("uq_sales_quote_number_revision", "number", "revision", unique=True),
        Index("ix_sales_quote_updated", "updated_at", "id"),
    )

    number: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("sales_quote.id"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("sales_deal.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    currency: Mapped[str] = mapped_column(String(3), default=instance_currency)
    list_total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    subtotal: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    tax_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    tax_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    effective_discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: the language the customer reads the printed quote in ("zh_Hans_CN", "en")
    locale: Mapped[str | None] = mapped_column(String(16))
    terms: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship()
    contact: Mapped[Contact | None] = relationship()
    deal: Mapped[Deal | None] = relationship()
    owner: Mapped[User | None] = relationship()
    lines: Mapped[list[QuoteLine]] = relationship(
        order_by="QuoteLine.position", cascade="all, delete-orphan"
    )


class QuoteLine(TimestampMixin, db.Model):
    """A quote's line: a product (or a free description), its list price, the
    price quoted, quantity and a discount in percent."""

    __tablename__ = "sales_quote_line"

    quote_id: Mapped[int] = mapped_column(ForeignKey("sales_quote.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("sales_product.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    list_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2))

    product: Mapped[Product | None] = relationship()
