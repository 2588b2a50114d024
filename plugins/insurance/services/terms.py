"""The arithmetic of a term that every part of the book shares: today in
the instance's time zone, a term's days (``end_date`` is inclusive), a
money amount rounded half-up to the cent, and a share of an amount pro rata
to days — cancellation refunds, lapses and endorsements all prorate the same
way."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from core.api import instance_timezone

CENT = Decimal("0.01")
ZERO = Decimal("0")


def today() -> date:
    """Today in the instance's time zone (the day a change counts for)."""
    return datetime.now(ZoneInfo(instance_timezone())).date()


def half_up(amount: Decimal | int | str) -> Decimal:
    """``amount`` rounded half-up to the cent."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def days(first: date, last: date) -> int:
    """The days from ``first`` to ``last``, both counted (0 when last < first)."""
    return max(0, (last - first).days + 1)


def term_days(start_date: date, end_date: date) -> int:
    """The days a term covers (its end date included)."""
    return days(start_date, end_date)


def prorate(amount: Decimal, part_days: int, whole_days: int) -> Decimal:
    """``amount`` × ``part_days`` / ``whole_days``, half-up to the cent."""
    if whole_days <= 0:
        return ZERO
    return half_up(Decimal(amount) * part_days / whole_days)
