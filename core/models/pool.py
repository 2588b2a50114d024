"""The shared customer pool (公海): its rules per team, and who released what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import Model
from core.models.base import TimestampMixin, UTCDateTime, VersionedMixin


class PoolRule(TimestampMixin, VersionedMixin, Model):
    """回收规则 for one team (``team_id`` NULL: every team without its own).

    A customer returns to the pool when any condition holds: no contact for
    ``recycle_after_days`` (if set), or a condition a plugin registered
    (``trellis_recycle_conditions``) named in ``conditions`` with its params.
    """

    __tablename__ = "pool_rule"

    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), unique=True)
    claim_limit: Mapped[int] = mapped_column(Integer, default=200)
    cool_off_days: Mapped[int] = mapped_column(Integer, default=30)
    recycle_after_days: Mapped[int | None] = mapped_column(Integer)
    remind_days_before: Mapped[int] = mapped_column(Integer, default=3)
    conditions: Mapped[dict] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PoolRelease(TimestampMixin, Model):
    """A customer left someone's hands for the pool (by hand or recycled);
    the cool-off keeps that person from claiming it straight back."""

    __tablename__ = "pool_release"
    __table_args__ = (Index("ix_pool_release_user_customer", "user_id", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(32))  # "released" | "recycled" | condition code
