"""Pipelines (销售流程), their ordered stages (阶段) and deals (商机)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Customer, SoftDeleteMixin, TimestampMixin, User, VersionedMixin, db


class Pipeline(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "sales_pipeline"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    stages: Mapped[list[Stage]] = relationship(order_by="Stage.position")


class Stage(TimestampMixin, db.Model):
    __tablename__ = "sales_stage"

    pipeline_id: Mapped[int] = mapped_column(ForeignKey("sales_pipeline.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    #: win probability (赢率) in percent, 0-100
    probability: Mapped[int] = mapped_column(Integer, default=0)


class Deal(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A sales opportunity with a customer. Money is exact: Numeric(14, 2) + currency."""

    __tablename__ = "sales_deal"
    __table_args__ = (Index("ix_sales_deal_owner_stage", "owner_id", "stage_id"),)

    title: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("sales_pipeline.id"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("sales_stage.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    expected_close: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)

    customer: Mapped[Customer] = relationship()
    stage: Mapped[Stage] = relationship()
    owner: Mapped[User | None] = relationship()
