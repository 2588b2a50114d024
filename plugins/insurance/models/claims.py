"""Claims (理赔): reported (报案) by an agent, from the customer page or
through the public claim form with a tracking link; assessed, decided,
paid and closed, with their reserve (未决赔款) and paid amounts. Every
step is a :class:`ClaimEvent`, written once.

An outpatient claim (``cause`` "outpatient") is the insurer's share of a
hospital payment, reported and settled at once and linked to the payment
by ``source``/``source_id`` (``services/coverage``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Customer,
    SoftDeleteMixin,
    TimestampMixin,
    User,
    UTCDateTime,
    VersionedMixin,
    db,
    translator,
)

from .policy import Policy

_, _l = translator("insurance")

CLAIM_STATES = (
    "reported",
    "documents_pending",
    "submitted",
    "assessing",
    "approved",
    "partially_approved",
    "rejected",
    "paid",
    "closed",
)
CHANNELS = ("agent", "customer", "public")
#: what a claim is for when it is not an ordinary loss: ``outpatient`` care paid at a hospital
CAUSES = ("outpatient",)
RISK_RULES = (
    "early_claim",
    "frequent",
    "not_covered",
    "sum_outlier",
    "raised_cover",
    "late_report",
)


class Claim(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A claim on a policy term for a loss on ``loss_date``. ``customer_id``,
    ``agent_id`` and ``team_id`` are the policy's; ``handler_id`` the
    assessor. ``risk_flags`` are the risk warnings (风险预警) that fired."""

    __tablename__ = "insurance_claim"
    __label__ = _l("Claim")
    __table_args__ = (
        Index("ix_insurance_claim_policy", "policy_id", "loss_date"),
        Index("ix_insurance_claim_customer", "customer_id", "loss_date"),
        Index(
            "ix_insurance_claim_open",
            *("status", "reported_at", "id", "agent_id", "team_id"),
            sqlite_where=text("status <> 'closed' AND deleted_at IS NULL"),
            postgresql_where=text("status <> 'closed' AND deleted_at IS NULL"),
        ),
        Index(
            "ix_insurance_claim_review",
            "reported_at",
            "id",
            sqlite_where=text("reviewed_at IS NULL AND risk_count > 0"),
            postgresql_where=text("reviewed_at IS NULL AND risk_count > 0"),
        ),
        Index(  # the claims of a cause (the list's ``cause`` filter), newest report first
            "ix_insurance_claim_cause",
            *("cause", "reported_at", "id"),
            sqlite_where=text("cause IS NOT NULL AND deleted_at IS NULL"),
            postgresql_where=text("cause IS NOT NULL AND deleted_at IS NULL"),
        ),
        Index(
            "uq_insurance_claim_source",
            "source",
            "source_id",
            unique=True,
            sqlite_where=text("source IS NOT NULL"),
            postgresql_where=text("source IS NOT NULL"),
        ),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("insurance_policy.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    coverage_id: Mapped[int | None] = mapped_column(ForeignKey("insurance_coverage.id"))
    insured_id: Mapped[int | None] = mapped_column(ForeignKey("insurance_insured.id"))
    status: Mapped[str] = mapped_column(String(20), default="reported")
    loss_date: Mapped[date] = mapped_column(Date)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(8), default="agent")
    description: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    claimed_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    reserve: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    approved_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    paid_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    paid_on: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_code: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    exception: Mapped[bool] = mapped_column(Boolean, default=False)
    exception_note: Mapped[str | None] = mapped_column(String(500))
    risk_flags: Mapped[list] = mapped_column(JSON, default=list)
    risk_count: Mapped[int] = mapped_column(Integer, default=0)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_note: Mapped[str | None] = mapped_column(String(500))
    tracking_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    cause: Mapped[str | None] = mapped_column(String(12))  # one of CAUSES
    #: the record the claim came from (``his_payment`` and its id), for an outpatient claim
    source: Mapped[str | None] = mapped_column(String(20))
    source_id: Mapped[int | None] = mapped_column(Integer)

    policy: Mapped[Policy] = relationship()
    customer: Mapped[Customer] = relationship()
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])


class ClaimEvent(TimestampMixin, db.Model):
    """One step of a claim, written once: the move, who made it, the change
    of the reserve and of what was paid (incurred = the sum of both)."""

    __tablename__ = "insurance_claim_event"
    __table_args__ = (
        Index("uq_insurance_claim_event_seq", "claim_id", "seq", unique=True),
        Index("ix_insurance_claim_event_on", "event_on", "carrier_id"),
    )

    claim_id: Mapped[int] = mapped_column(ForeignKey("insurance_claim.id"))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reserve_delta: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    paid_delta: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_on: Mapped[date] = mapped_column(Date)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("insurance_carrier.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("insurance_product.id"))
    line: Mapped[str] = mapped_column(String(10))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    currency: Mapped[str] = mapped_column(String(3))

    claim: Mapped[Claim] = relationship()
