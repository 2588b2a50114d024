"""A report's period: first and last day, both included, in the
instance's time zone — as the UTC moments a query compares against."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.api import instance_timezone

#: first and last day of a report, both included
Period = tuple[date, date]


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The start of the first day and the start of the day after the last."""
    zone = ZoneInfo(instance_timezone())
    first, last = period
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    return start, end


def period_of(date_from: date | None, date_to: date | None, days: int = 30) -> Period:
    """The period asked for; a missing end is today, a missing start the
    end's ``days``-long period (today and the 29 days before, by default)."""
    last = date_to or datetime.now(ZoneInfo(instance_timezone())).date()
    return date_from or last - timedelta(days=days - 1), last
