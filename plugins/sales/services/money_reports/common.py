"""What the money reports share: exact cents from SQL sums, a date period,
month labels and hours between two instants in SQL on SQLite and PostgreSQL.
The one definition of "collected" the targets, the commission and the
reports all use is :func:`.sums.collected_money`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import extract, func

from core.api import db, team_subtree

from ..report_cells import COUNTED as COUNTED  # the commission reads it here

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    """A database sum as exact cents (SQLite sums Numeric columns as floats)."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part / whole`` to four places (0.2500 is 25 %); None for nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def midnight(day: date) -> datetime:
    """The first instant of ``day`` in UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def month_of(column, instant: bool = False):
    """SQL: ``YYYY-MM`` of a date column, or (``instant``) of a datetime
    column's UTC date, whatever the PostgreSQL session's time zone."""
    if db.engine.dialect.name == "sqlite":  # datetimes are stored in UTC
        return func.strftime("%Y-%m", column)
    return func.to_char(func.timezone("UTC", column) if instant else column, "YYYY-MM")


def hours_between(start, end):
    """SQL: hours from ``start`` to ``end`` (fractional)."""
    if db.engine.dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24
    return extract("epoch", end - start) / 3600


def in_team(query, model, team_id: int | None):
    """``query`` narrowed to the rows of team ``team_id`` and its sub-teams (None: all)."""
    if team_id is None:
        return query
    return query.where(model.team_id.in_(team_subtree(team_id)))
