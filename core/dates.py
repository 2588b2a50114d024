"""Calendar arithmetic the standard library leaves out: a date some months
later, as instalment schedules, policy terms and renewals count them."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """``day`` ``months`` later (earlier for a negative ``months``), on the
    same day of the month or, where that month is shorter, on its last day:
    31 January + 1 month is 28 (or 29) February."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_of_next_month(day: date) -> date:
    """The first day of the month after ``day``'s (a month's exclusive end)."""
    return add_months(day.replace(day=1), 1)
