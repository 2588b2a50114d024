"""What the reports read instead of the deals: the report cells, each
customer's wins and each owner's closed deals per customer, kept with the
deals by ``services.report_cells``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.api import UTCDateTime, db


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


class CustomerKpi(db.Model):
    """One owner's closed deals of one customer, as the all-time KPIs count
    them (see ``report_cells``): the won deals per currency (one row each)
    or the lost deals (one row, no currency) — how many, their amount, and
    what the customer's wins say of them: whether the won deals hold the
    customer's first win, and (lost) the most the customer won in one
    currency. Kept per customer with the deals; no row: no such deal."""

    __tablename__ = "sales_customer_kpi"
    __table_args__ = (
        # everything the all-time KPIs read, in the order they group by
        Index(
            "ix_sales_customer_kpi_report",
            "owner_id",
            "won",
            "currency",
            "customer_id",
            "deals",
            "amount_cents",
            "first_win",
            "best_won_cents",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    won: Mapped[bool] = mapped_column(Boolean)
    #: the won deals' currency; None on the row of the lost deals
    currency: Mapped[str | None] = mapped_column(String(3))
    deals: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    #: 1 when these won deals hold the customer's first win (closed at ``first_won_at``)
    first_win: Mapped[int] = mapped_column(Integer)
    #: lost deals: the customer's ``best_won_cents`` (None: never won)
    best_won_cents: Mapped[int | None] = mapped_column(BigInteger)
