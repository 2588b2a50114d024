"""Deals (商机), each deal's stage history and its lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String
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

from .pipeline import Pipeline, Stage
from .product import Product

_, _l = translator("sales")


class Deal(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A sales opportunity with a customer. Money is exact: Numeric(14, 2) + ISO currency."""

    __tablename__ = "sales_deal"
    __label__ = _l("Deal")  # how the audit log names it
    __table_args__ = (
        Index("ix_sales_deal_owner_stage", "owner_id", "stage_id"),
        # the deals list: newest change first, a page at a time
        Index("ix_sales_deal_updated", "updated_at", "id"),
        # customer first (access goes through the visible customers), then
        # every column the reports read: see migration 5a1e50000005
        Index(
            "ix_sales_deal_report",
            "customer_id",
            "stage_id",
            "closed_at",
            "pipeline_id",
            "furthest_position",
            "owner_id",
            "team_id",
            "currency",
            "amount",
            "created_at",
            "expected_close",
            "deleted_at",
            "lost_reason",
        ),
        # created first: the months of a report period that the report
        # cells cover only in part (report_cells); every column they read
        Index(
            "ix_sales_deal_created_report",
            "created_at",
            "pipeline_id",
            "stage_id",
            "furthest_position",
            "currency",
            "lost_reason",
            "amount",
            "closed_at",
            "expected_close",
            "owner_id",
            "team_id",
            "deleted_at",
            "customer_id",
        ),
        # closed first: the KPIs of a period (deals closed in it), every
        # column they read (replaces the plain index on closed_at)
        Index(
            "ix_sales_deal_closed_report",
            "closed_at",
            "stage_id",
            "owner_id",
            "currency",
            "amount",
            "customer_id",
            "deleted_at",
            "pipeline_id",
            "team_id",
        ),
    )

    title: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("sales_pipeline.id"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("sales_stage.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default=instance_currency)
    expected_close: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    lost_reason: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # indexed above
    #: the highest position among the not-lost stages the deal has been in
    #: (kept by services.deals.move_stage), so the funnel needs no history scan
    furthest_position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    customer: Mapped[Customer] = relationship()
    contact: Mapped[Contact | None] = relationship()
    stage: Mapped[Stage] = relationship()
    pipeline: Mapped[Pipeline] = relationship()
    owner: Mapped[User | None] = relationship()
    history: Mapped[list[StageChange]] = relationship(
        order_by="StageChange.changed_at", viewonly=True
    )
    lines: Mapped[list[DealLine]] = relationship(
        order_by="DealLine.position", cascade="all, delete-orphan"
    )


class StageChange(TimestampMixin, db.Model):
    """One move of a deal into a stage (the first row is where it started)."""

    __tablename__ = "sales_stage_change"
    __table_args__ = (Index("ix_sales_stage_change_stage_at", "to_stage_id", "changed_at"),)

    deal_id: Mapped[int] = mapped_column(ForeignKey("sales_deal.id"), index=True)
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("sales_stage.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("sales_stage.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    to_stage: Mapped[Stage] = relationship(foreign_keys=[to_stage_id])
    from_stage: Mapped[Stage | None] = relationship(foreign_keys=[from_stage_id])
    user: Mapped[User | None] = relationship()


class DealLine(TimestampMixin, db.Model):
    """A deal's line: a product (or a free description), price, quantity and a
    discount in percent. The deal's amount is the sum of its lines, when it has any."""

    __tablename__ = "sales_deal_line"

    deal_id: Mapped[int] = mapped_column(ForeignKey("sales_deal.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("sales_product.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2))

    product: Mapped[Product | None] = relationship()
