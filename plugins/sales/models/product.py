"""Products (产品): what a deal's lines sell."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from core.api import TimestampMixin, VersionedMixin, db, instance_currency, translator

_, _l = translator("sales")


class Product(TimestampMixin, VersionedMixin, db.Model):
    """产品: what a deal's lines sell, at a list price the line may change."""

    __tablename__ = "sales_product"
    __label__ = _l("Product")  # how the audit log names it

    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default=instance_currency)
    active: Mapped[bool] = mapped_column(default=True)
