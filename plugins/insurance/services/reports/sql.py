"""SQL pieces the reports share on SQLite and PostgreSQL: the month of a
date column and exact cents from a database sum (SQLite sums Numeric
columns as floats).

core.api has no month truncation for plugins (the sales reports keep their
own ``strftime`` / ``to_char``). Here PostgreSQL truncates the date as a
timestamp without time zone: ``date_trunc`` on it costs no more than
grouping by the date itself, where ``to_char`` (which casts the date to a
``timestamptz`` first) took ~50 ms more per 100,000 rows. Use one expression
object in both the SELECT and the GROUP BY of a query: PostgreSQL matches
them by their text, parameters included."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, DateTime, cast, func

from core.api import db

CENT = Decimal("0.01")


def month_start_of(column):
    """SQL: the first day of a date column's month — a ``date`` on SQLite, a
    ``datetime`` at midnight on PostgreSQL (:func:`.period.month_key` reads
    either)."""
    if db.engine.dialect.name == "sqlite":  # dates are stored as ISO text
        return func.date(column, "start of month", type_=Date)
    return func.date_trunc("month", cast(column, DateTime), type_=DateTime)


def cents(value) -> Decimal:
    """A database sum as exact cents (``None`` — nothing summed — is 0.00)."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)
