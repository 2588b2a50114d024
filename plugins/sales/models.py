"""Pipelines (销售流程), their ordered stages (阶段), deals (商机) and each
deal's stage history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Contact, Customer, SoftDeleteMixin, Team, TimestampMixin, User, UTCDateTime, VersionedMixin,
    db, utcnow,
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
    __table_args__ = (Index("ix_sales_deal_owner_stage", "owner_id", "stage_id"),
                      # the deals list: newest change first, a page at a time
                      Index("ix_sales_deal_updated", "updated_at", "id"),
                      # customer first (access goes through the visible customers), then
                      # every column the reports read: see migration 5a1e50000005
                      Index("ix_sales_deal_report", "customer_id", "stage_id", "closed_at",
                            "pipeline_id", "furthest_position", "owner_id", "team_id",
                            "currency", "amount", "created_at", "expected_close", "deleted_at",
                            "lost_reason"),
                      # created first: the months of a report period that the report
                      # cells cover only in part (report_cells); every column they read
                      Index("ix_sales_deal_created_report", "created_at", "pipeline_id",
                            "stage_id", "furthest_position", "currency", "lost_reason", "amount",
                            "closed_at", "expected_close", "owner_id", "team_id", "deleted_at",
                            "customer_id"),
                      # closed first: the KPIs of a period (deals closed in it), every
                      # column they read (replaces the plain index on closed_at)
                      Index("ix_sales_deal_closed_report", "closed_at", "stage_id", "owner_id",
                            "currency", "amount", "customer_id", "deleted_at", "pipeline_id",
                            "team_id"))

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
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # indexed above
    #: the highest position among the not-lost stages the deal has been in
    #: (kept by services.move_stage), so the funnel needs no history scan
    furthest_position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    customer: Mapped[Customer] = relationship()
    contact: Mapped[Contact | None] = relationship()
    stage: Mapped[Stage] = relationship()
    pipeline: Mapped[Pipeline] = relationship()
    owner: Mapped[User | None] = relationship()
    history: Mapped[list[StageChange]] = relationship(order_by="StageChange.changed_at",
                                                      viewonly=True)
    lines: Mapped[list[DealLine]] = relationship(order_by="DealLine.position",
                                                 cascade="all, delete-orphan")


class ReportCell(db.Model):
    """Deals added up in advance for the funnel and the forecast (see
    ``report_cells``): one row per combination of what they group by, with
    the number of deals and their sums. ``key`` holds the combination as
    one string, so that adding to a cell is one upsert."""

    __tablename__ = "sales_report_cell"
    __table_args__ = (Index("ix_sales_report_cell_kind", "kind", "pipeline_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(320), unique=True)  # every part, the reason too
    #: "deal": every live deal; "open": the open ones again, by owner and team
    kind: Mapped[str] = mapped_column(String(8))
    #: the first day of the month the deals were created in (UTC)
    month: Mapped[date] = mapped_column(Date)
    pipeline_id: Mapped[int] = mapped_column(Integer)
    stage_id: Mapped[int] = mapped_column(Integer)
    furthest_position: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    lost_reason: Mapped[str | None] = mapped_column(String(200))
    #: an open deal's expected close month, a won deal's close month
    target_month: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(Integer)
    deals: Mapped[int] = mapped_column(Integer)
    #: exact sums in minor units (cents), whatever the database
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    #: seconds from creation to close, summed over the closed deals
    cycle_seconds: Mapped[int] = mapped_column(BigInteger)
    closed: Mapped[int] = mapped_column(Integer)


class CustomerWins(db.Model):
    """What the KPIs ask of a customer's won deals, kept with the deals (see
    ``report_cells``): when the first of them was won, and the most won in
    one currency. No row: no won deal."""

    __tablename__ = "sales_customer_wins"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    first_won_at: Mapped[datetime] = mapped_column(UTCDateTime)
    best_won_cents: Mapped[int] = mapped_column(BigInteger)


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


class SalesTarget(TimestampMixin, db.Model):
    """业绩目标: the amount one rep (``user_id``) or one team (``team_id``,
    sub-teams included) should win in a calendar month ``YYYY-MM`` (UTC)."""

    __tablename__ = "sales_target"
    # one target per rep and month, one per team and month: a UNIQUE over
    # (month, user_id, team_id) cannot say it, as SQL NULLs never collide
    __table_args__ = tuple(
        Index(f"uq_sales_target_month_{who}", "month", column, unique=True,
              sqlite_where=text(f"{column} IS NOT NULL"),
              postgresql_where=text(f"{column} IS NOT NULL"))
        for who, column in (("user", "user_id"), ("team", "team_id")))

    month: Mapped[str] = mapped_column(String(7), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")

    user: Mapped[User | None] = relationship()
    team: Mapped[Team | None] = relationship()


class CommissionRule(TimestampMixin, VersionedMixin, db.Model):
    """提成规则: progressive tiers over a rep's monthly won amount in ``currency``,
    for the deals of ``pipeline_id`` (None: every pipeline), or only for the
    deal lines of ``product_id``. ``tiers`` is a JSON
    list of ``{"from_amount": "0.00", "rate_percent": "3.00"}`` (decimals as
    strings, so no float ever touches the money), the first from 0."""

    __tablename__ = "sales_commission_rule"

    name: Mapped[str] = mapped_column(String(120))
    pipeline_id: Mapped[int | None] = mapped_column(ForeignKey("sales_pipeline.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("sales_product.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    tiers: Mapped[list[dict]] = mapped_column(JSON, default=list)

    pipeline: Mapped[Pipeline | None] = relationship()
    product: Mapped[Product | None] = relationship()


class Product(TimestampMixin, VersionedMixin, db.Model):
    """产品: what a deal's lines sell, at a list price the line may change."""

    __tablename__ = "sales_product"

    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    active: Mapped[bool] = mapped_column(default=True)


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
