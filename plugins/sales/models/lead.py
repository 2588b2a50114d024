"""Leads (线索), the web forms that capture them and the rules that assign them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    SoftDeleteMixin,
    TimestampMixin,
    User,
    UTCDateTime,
    VersionedMixin,
    db,
    translator,
)

_, _l = translator("sales")

LEAD_SOURCES = ("advertising", "website", "referral", "exhibition", "cold_call", "other")
LEAD_STATUSES = ("new", "working", "converted", "disqualified")


class Lead(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """线索: someone who may become a customer, before anyone qualified them."""

    __tablename__ = "sales_lead"
    __label__ = _l("Lead")  # how the audit log names it
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
    __label__ = _l("Web form")  # how the audit log names it

    name: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(20), default="website")
    active: Mapped[bool] = mapped_column(default=True)


class AssignmentRule(TimestampMixin, db.Model):
    """Who gets a new lead: the first rule (by ``position``) whose source and
    region match (empty matches anything) gives it to ``user_id``, or in turn
    to the active members of ``team_id`` (round robin)."""

    __tablename__ = "sales_assignment_rule"
    __label__ = _l("Assignment rule")  # how the audit log names it

    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    last_user_id: Mapped[int | None] = mapped_column(Integer)
