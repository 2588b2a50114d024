"""Spare parts (备件) and their stock per warehouse and per engineer's van;
every change of stock is a move, and stock never goes below zero."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import TimestampMixin, User, UTCDateTime, VersionedMixin, db, translator, utcnow

_, _l = translator("service_dispatch")

LOCATION_KINDS = ("warehouse", "van")
MOVE_REASONS = ("receive", "transfer", "use", "adjust")


class Part(TimestampMixin, VersionedMixin, db.Model):
    """A spare part: its SKU, name, unit (piece, metre, …) and price."""

    __tablename__ = "service_dispatch_part"
    __label__ = _l("Spare part")  # how the audit log names it

    sku: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20), default="pcs")
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StockLocation(TimestampMixin, db.Model):
    """A warehouse, or an engineer's van (``engineer_id`` set, one van each)."""

    __tablename__ = "service_dispatch_stock_location"
    __label__ = _l("Stock location")  # how the audit log names it

    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12), default="warehouse")
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    engineer: Mapped[User | None] = relationship()


class Stock(TimestampMixin, VersionedMixin, db.Model):
    """How much of a part lies at a location: never negative (the database
    refuses it too)."""

    __tablename__ = "service_dispatch_stock"
    __label__ = _l("Stock")  # how the audit log names it
    __table_args__ = (
        UniqueConstraint("part_id", "location_id"),
        CheckConstraint("quantity >= 0", name="not_negative"),
    )

    part_id: Mapped[int] = mapped_column(ForeignKey("service_dispatch_part.id"))
    location_id: Mapped[int] = mapped_column(
        ForeignKey("service_dispatch_stock_location.id"), index=True
    )
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))

    part: Mapped[Part] = relationship()
    location: Mapped[StockLocation] = relationship()


class StockMove(TimestampMixin, db.Model):
    """One change of stock at one location: + received, − used, a transfer is
    two moves; ``work_order_id`` is set for parts used on a job."""

    __tablename__ = "service_dispatch_stock_move"
    __label__ = _l("Stock move")  # how the audit log names it

    part_id: Mapped[int] = mapped_column(ForeignKey("service_dispatch_part.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("service_dispatch_stock_location.id"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    reason: Mapped[str] = mapped_column(String(12))
    work_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_dispatch_work_order.id"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(String(300))

    part: Mapped[Part] = relationship()
    location: Mapped[StockLocation] = relationship()
