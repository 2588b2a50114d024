"""RFM and churn risk: the run log, each customer's latest scores, and the
per-run snapshot of segments that "movement between two runs" reads.

- :class:`RfmRun` — one computation (the daily job's or a "run now"):
  when, over which window, how far it got, what it read, how it ended.
- :class:`RfmScore` — a customer's figures of one run. Only the rows of the
  latest finished run are kept (a run writes its rows beside the previous
  run's, then drops those when it finishes), so readers ask for the rows of
  :func:`services.rfm.latest_run` and never see a half-written run.
- :class:`RfmSnapshot` — a customer's RFM segment at one run, kept for the
  last few runs (``runs_kept``, one run per day: a second run on the same day
  replaces that day's snapshot) so that two runs can be compared.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Customer, TimestampMixin, UTCDateTime, db

#: the RFM segments' codes, best first (``services.rfm.grid`` names and places them)
SEGMENT_CODES = (
    "champions",
    "loyal",
    "potential_loyalists",
    "new",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose",
    "hibernating",
    "lost",
)
#: a run's states: waiting in the queue, running, finished, failed
RUN_STATES = ("queued", "running", "done", "failed")


class RfmRun(TimestampMixin, db.Model):
    """One RFM run. ``as_of`` is the end of the day the run scores (the next
    local midnight, in UTC): events before it count, recency is counted in
    whole days back from it, so two runs on one day agree. ``done`` of
    ``total`` customers are scored so far; ``customers`` and ``events`` are
    what the run read; ``kept`` says its segment snapshot is still stored."""

    __tablename__ = "marketing_rfm_run"
    __table_args__ = (Index("ix_marketing_rfm_run_status", "status", "finished_at"),)

    status: Mapped[str] = mapped_column(String(10), default="queued")
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    window_days: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    kept: Mapped[bool] = mapped_column(Boolean, default=False)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class RfmScore(TimestampMixin, db.Model):
    """A customer's RFM and churn figures of one run.

    ``recency_days`` since the last money event (any time before the run's
    ``as_of``), ``events`` all those events; ``frequency`` and ``monetary``
    over the window; ``early`` and ``late`` the events in the window's first
    and second half; ``r``, ``f``, ``m`` the quintile scores 1–5 and
    ``segment`` the RFM segment (``services.rfm.grid``). Churn risk reads
    ``contact_days`` (days since the customer was last contacted; ``None``:
    never), ``open_complaints`` and ``satisfaction`` (from facts plugins
    declare) and sums to ``churn_score`` 0–100 (``services.churn``)."""

    __tablename__ = "marketing_rfm_score"
    __table_args__ = (
        Index("ux_marketing_rfm_score_run_customer", "run_id", "customer_id", unique=True),
        Index("ix_marketing_rfm_score_segment", "run_id", "segment"),
        Index("ix_marketing_rfm_score_churn", "run_id", "churn_score"),
        Index("ix_marketing_rfm_score_customer", "customer_id"),
    )

    run_id: Mapped[int] = mapped_column(ForeignKey("marketing_rfm_run.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recency_days: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    frequency: Mapped[int] = mapped_column(Integer, default=0)
    monetary: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=0)
    early: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    r: Mapped[int | None] = mapped_column(SmallInteger)
    f: Mapped[int | None] = mapped_column(SmallInteger)
    m: Mapped[int | None] = mapped_column(SmallInteger)
    segment: Mapped[str | None] = mapped_column(String(20))
    contact_days: Mapped[int | None] = mapped_column(Integer)
    open_complaints: Mapped[int] = mapped_column(Integer, default=0)
    satisfaction: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    churn_score: Mapped[int] = mapped_column(SmallInteger, default=0)

    customer: Mapped[Customer] = relationship()


class RfmSnapshot(db.Model):
    """A customer's RFM segment at one run (no timestamps of its own: the
    run has them, and at a million customers a run writes a million rows)."""

    __tablename__ = "marketing_rfm_snapshot"
    __table_args__ = (Index("ix_marketing_rfm_snapshot_customer", "customer_id"),)

    run_id: Mapped[int] = mapped_column(ForeignKey("marketing_rfm_run.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    segment: Mapped[str] = mapped_column(String(20))
