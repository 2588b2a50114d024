"""What every hospital report shares: its period (first and last day, both
included, in the instance's time zone — the feedback reports' own), the
local day of an instant in SQL, the days of a period, and the names of the
departments and doctors its rows point at."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, func, select

from core.api import User, ValidationError, db, instance_timezone, translator

from ...models import Department
from ..feedback.periods import Period, bounds, period_of

_, _l = translator("his")

#: the longest period a report covers, in days
MAX_DAYS = 366

__all__ = [
    "MAX_DAYS",
    "Period",
    "bounds",
    "check_period",
    "day_of",
    "days_of",
    "department_names",
    "local_day",
    "period_of",
    "user_names",
]


def check_period(period: Period) -> Period:
    """``period`` if its first day is not after its last and it spans at
    most :data:`MAX_DAYS`; else a 422 naming ``date_to``."""
    first, last = period
    if first > last:
        raise ValidationError({"date_to": [_("The last day is before the first.")]})
    if (last - first).days >= MAX_DAYS:
        raise ValidationError(
            {"date_to": [_("A report covers at most %(days)s days.", days=MAX_DAYS)]}
        )
    return period


def days_of(period: Period) -> list[date]:
    """Every day of ``period``, in order."""
    first, last = period
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def local_day(column, period: Period):
    """SQL: the instance's calendar day of the UTC instant in ``column``.

    PostgreSQL converts each instant with the zone's rules. SQLite has no
    time zones: it shifts by the zone's offset at noon of the period's first
    day, so in a zone with summer time a day that crosses the change is off
    by an hour (China, the instances' usual zone, has none)."""
    zone = instance_timezone()
    if db.engine.dialect.name == "postgresql":
        return func.date(func.timezone(zone, column), type_=Date)
    noon = datetime.combine(period[0], time(12), ZoneInfo(zone))
    offset = noon.utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    return func.date(column, f"{minutes:+d} minutes")


def day_of(value) -> date:
    """A day as a database returns it (a date, or ISO text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def department_names(ids) -> dict[int | None, str]:
    """Each department id's name; ``None`` (a visit recorded without one)
    is "No department"."""
    wanted = {i for i in ids if i is not None}
    query = select(Department.id, Department.name).where(Department.id.in_(wanted))
    found: dict[int | None, str] = {key: name for key, name in db.session.execute(query)}
    found[None] = _("No department")
    return found


def user_names(ids) -> dict[int | None, str]:
    """Each user id's name; ``None`` is "No doctor"."""
    wanted = {i for i in ids if i is not None}
    query = select(User.id, User.name).where(User.id.in_(wanted))
    found: dict[int | None, str] = {key: name for key, name in db.session.execute(query)}
    found[None] = _("No doctor")
    return found
