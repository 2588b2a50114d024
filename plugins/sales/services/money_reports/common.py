"""What the money reports share: exact cents from SQL sums, a date period,
month labels and hours between two instants in SQL on SQLite and PostgreSQL,
and the one definition of "collected" the targets, the commission and the
reports all use."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import extract, func, select

from core.api import User, db, team_subtree

from ...models import Payment
from ..access import visible_records

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: a payment that counted once: confirmed, or confirmed and reversed later
COUNTED = ("confirmed", "reversed")


def money(value) -> Decimal:
    """A database sum as exact cents (SQLite sums Numeric columns as floats)."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole`` to four places (0.2500 is 25 %); None for nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def midnight(day: date) -> datetime:
    """The first instant of ``day`` in UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


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


def collected_money(
    user: User | None, start: date, end: date, by: str | None = None, team_id: int | None = None
) -> dict:
    """Money collected in [``start``, ``end``) over the payments ``user`` may
    see, by currency and ``by`` ("owner", "team", "month", "owner_team" or
    None): ``{(key, currency): [collected, reversed]}`` (key None when ``by``
    is None; an ``(owner_id, team_id)`` pair for "owner_team").

    Collected: payments paid (``paid_on``) in the period that were confirmed —
    still confirmed, or reversed since (they counted when they came in).
    Reversed: payments whose reversal (``reversed_at``, its UTC date) lies in
    the period, whenever they were paid. The net is collected − reversed, so
    a payment reversed in a later month is taken back in that month."""
    lo, hi = midnight(start), midnight(end)
    found: dict[tuple, list] = {}
    for slot, when, where in (
        (
            0,
            Payment.paid_on,
            (Payment.paid_on >= start, Payment.paid_on < end, Payment.status.in_(COUNTED)),
        ),
        (
            1,
            Payment.reversed_at,
            (
                Payment.status == "reversed",
                Payment.reversed_at >= lo,
                Payment.reversed_at < hi,
                # a reversal writes the row, so it changed since: lets the
                # planner read the few rows changed since the period began
                # (ix_sales_payment_updated) rather than every payment
                # (SQLite, told they are few, then does)
                _few(Payment.updated_at >= lo),
            ),
        ),
    ):
        keys = _keys(by, month_of(when, instant=bool(slot)))
        query = in_team(
            visible_records(
                Payment, user, select(*keys, Payment.currency, func.sum(Payment.amount))
            ).where(*where),
            Payment,
            team_id,
        )
        for row in db.session.execute(query.group_by(*keys, Payment.currency)):
            value = tuple(row[: len(keys)]) if len(keys) > 1 else (row[0] if keys else None)
            found.setdefault((value, row[-2]), [ZERO, ZERO])[slot] = money(row[-1])
    return found


def _few(condition):
    """``condition``, which few rows meet, said so to SQLite's planner."""
    return func.unlikely(condition) if db.engine.dialect.name == "sqlite" else condition


def _keys(by: str | None, month) -> list:
    """The columns a payment is grouped by (none for ``by`` None); ``month``
    is the month expression of the date the line counts on."""
    if by == "owner_team":
        return [Payment.owner_id, Payment.team_id]
    if by == "owner":
        return [Payment.owner_id]
    if by == "team":
        return [Payment.team_id]
    if by == "month":
        return [month]
    return []
