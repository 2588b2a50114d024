"""The service reports' cells (服务报表汇总): work orders added up in advance
by the day they were opened, and visits by the day they checked in (see
``services.report_cells``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.api import db


class ReportCell(db.Model):
    """One row per combination the SLA report groups by, with the sums it
    reads. ``key`` holds the combination as one string, so that adding to a
    cell is one upsert.

    - ``kind == "order"``: the orders opened on ``day`` with this
      ``product`` and ``status`` whose figures no longer depend on the time
      of asking (no deadline pending — ``work_order.PENDING_SQL``);
    - ``kind == "visit"``: the visits of engineer ``engineer_id`` that
      checked in on ``day`` (``orders`` = visits, ``on_site_ms``)."""

    __tablename__ = "service_dispatch_report_cell"
    __table_args__ = (Index("ix_service_dispatch_report_cell_kind_day", "kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    #: the UTC day the orders were opened on (or the visits checked in on)
    day: Mapped[date] = mapped_column(Date)
    product: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str | None] = mapped_column(String(16))
    engineer_id: Mapped[int | None] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(Integer)
    response_met: Mapped[int] = mapped_column(Integer, default=0)
    response_breached: Mapped[int] = mapped_column(Integer, default=0)
    resolution_met: Mapped[int] = mapped_column(Integer, default=0)
    resolution_breached: Mapped[int] = mapped_column(Integer, default=0)
    responded: Mapped[int] = mapped_column(Integer, default=0)
    #: milliseconds from opening to the first accept, summed (exact in any database)
    respond_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    #: milliseconds from opening to completion of the resolved orders, summed
    resolve_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    first_fix: Mapped[int] = mapped_column(Integer, default=0)
    repeat: Mapped[int] = mapped_column(Integer, default=0)
    #: how many of the orders have a revisit scored 1 … 5
    score_1: Mapped[int] = mapped_column(Integer, default=0)
    score_2: Mapped[int] = mapped_column(Integer, default=0)
    score_3: Mapped[int] = mapped_column(Integer, default=0)
    score_4: Mapped[int] = mapped_column(Integer, default=0)
    score_5: Mapped[int] = mapped_column(Integer, default=0)
    #: milliseconds on site of the visits, summed
    on_site_ms: Mapped[int] = mapped_column(BigInteger, default=0)
