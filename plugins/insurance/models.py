"""Policies (保单). Premiums are exact: Numeric(14, 2) plus an ISO currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Customer,
    SoftDeleteMixin,
    TimestampMixin,
    User,
    VersionedMixin,
    db,
    instance_currency,
    translator,
)

_, _l = translator("insurance")


class Policy(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A policy held by a customer (the policyholder, 投保人), sold and kept by an
    agent (代理人)."""

    __tablename__ = "insurance_policy"
    __label__ = _l("Policy")  # how the audit log names it

    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    product: Mapped[str] = mapped_column(String(120))
    premium: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default=instance_currency)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)

    customer: Mapped[Customer] = relationship()
    agent: Mapped[User | None] = relationship()
