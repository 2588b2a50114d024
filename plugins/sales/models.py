"""Pipelines (销售流程), their ordered stages (阶段), deals (商机) and each
deal's stage history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Contact, Customer, SoftDeleteMixin, TimestampMixin, User, UTCDateTime, VersionedMixin, db,
    utcnow,
)

OUTCOMES = ("open", "won", "lost")


class Pipeline(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "sales_pipeline"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    stages: Mapped[list[Stage]] = relationship(order_by="Stage.position")


class Stage(TimestampMixin, db.Model):
    """A step of a pipeline. ``outcome`` says whether a deal here is still
    open, won or lost; ``probability`` (赢率) weights the forecast."""

    __tablename__ = "sales_stage"

    pipeline_id: Mapped[int] = mapped_column(ForeignKey("sales_pipeline.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    #: win probability (赢率) in percent, 0-100
    probability: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(8), default="open", server_default="open")


class Deal(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A sales opportunity with a customer. Money is exact: Numeric(14, 2) + ISO currency."""

    __tablename__ = "sales_deal"
    __table_args__ = (Index("ix_sales_deal_owner_stage", "owner_id", "stage_id"),)

    title: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("sales_pipeline.id"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("sales_stage.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    expected_close: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    lost_reason: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    customer: Mapped[Customer] = relationship()
    contact: Mapped[Contact | None] = relationship()
    stage: Mapped[Stage] = relationship()
    pipeline: Mapped[Pipeline] = relationship()
    owner: Mapped[User | None] = relationship()
    history: Mapped[list[StageChange]] = relationship(order_by="StageChange.changed_at",
                                                      viewonly=True)


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


LEAD_SOURCES = ("advertising", "website", "referral", "exhibition", "cold_call", "other")
LEAD_STATUSES = ("new", "working", "converted", "disqualified")


class Lead(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """线索: someone who may become a customer, before anyone qualified them."""

    __tablename__ = "sales_lead"
    __table_args__ = (Index("ix_sales_lead_owner_status", "owner_id", "status"),)

    name: Mapped[str] = mapped_column(String(120))
    company: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    region: Mapped[str | None] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(20), default="other", index=True)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    notes: Mapped[str | None] = mapped_column(String(2000))
    disqualify_reason: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    form_id: Mapped[int | None] = mapped_column(ForeignKey("sales_lead_form.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("sales_deal.id"))
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User | None] = relationship()


class LeadForm(TimestampMixin, db.Model):
    """A web form a company puts on its site: posts carry its secret ``key``."""

    __tablename__ = "sales_lead_form"

    name: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(20), default="website")
    active: Mapped[bool] = mapped_column(default=True)


class AssignmentRule(TimestampMixin, db.Model):
    """Who gets a new lead: the first rule (by ``position``) whose source and
    region match (empty matches anything) gives it to ``user_id``, or in turn
    to the active members of ``team_id`` (round robin)."""

    __tablename__ = "sales_assignment_rule"

    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    last_user_id: Mapped[int | None] = mapped_column(Integer)
