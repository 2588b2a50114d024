"""Business hours (工作时间): SLA clocks run only while the company is open.

A :class:`Calendar` is the business calendar as plain data — a time zone,
the working weekdays, the opening and closing minute, and the dates that
break the weekly rule (a public holiday, or a 调休 make-up working day on a
weekend). The arithmetic here is pure: :func:`add_business_hours` moves a
deadline forward through open hours only, :func:`business_time_between`
measures how much open time passed between two moments (what the reports
call "time to respond/resolve in business hours"). :func:`load_calendar`
reads the one stored calendar, or the defaults when none is stored — on the
instance's clock (``TRELLIS_TIMEZONE``), as no country's is everyone's.

Every datetime in and out is aware; the opening hours are wall-clock times
in the calendar's zone, so a day on which daylight saving time starts or
ends still opens at 9:00 local time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.api import db, instance_timezone

from ..models import BusinessCalendar, CalendarDay

DEFAULT_WORKDAYS = (0, 1, 2, 3, 4)
DEFAULT_OPENS, DEFAULT_CLOSES = 9 * 60, 18 * 60
#: how far the arithmetic looks for the next open hour before giving up
#: (a calendar with no working day at all would otherwise loop forever)
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Calendar:
    """When the company is open, on the clock of ``timezone`` (an IANA name).
    ``exceptions`` maps a date to whether it is a working day, overriding
    ``workdays`` (0 = Monday)."""

    timezone: str
    workdays: frozenset[int] = frozenset(DEFAULT_WORKDAYS)
    opens_minute: int = DEFAULT_OPENS
    closes_minute: int = DEFAULT_CLOSES
    exceptions: dict[date, bool] = field(default_factory=dict)
    _windows: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        """A 调休 make-up day works, a holiday does not, else the weekday rule."""
        return self.exceptions.get(day, day.weekday() in self.workdays)

    def local_date(self, moment: datetime) -> date:
        """The date of ``moment`` on the calendar's clock."""
        return _aware(moment).astimezone(self.zone).date()

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's opening and closing moments in UTC, or ``None`` when closed."""
        if day not in self._windows:
            self._windows[day] = self._window(day) if self.is_working_day(day) else None
        return self._windows[day]

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        opens, closes = (self._moment(day, m) for m in (self.opens_minute, self.closes_minute))
        return (opens, closes) if opens < closes else None

    def _moment(self, day: date, minute: int) -> datetime:
        """``minute`` after midnight on the wall clock (aware datetimes add
        wall time), in UTC; minute 1440 is the next midnight."""
        local = datetime.combine(day, time(0), tzinfo=self.zone) + timedelta(minutes=minute)
        return local.astimezone(UTC)


class BeyondHorizon(ValueError):
    """The hours do not fit in the calendar's next three years (a calendar
    open one minute a week, say): there is no deadline to set."""


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime; pass an aware one")
    return moment


def add_business_hours(start: datetime, hours: float, calendar: Calendar) -> datetime:
    """The moment ``hours`` business hours after ``start`` (aware, in UTC).

    The clock only runs while the company is open: a request on Friday
    evening with 2 hours to respond is due at 11:00 on Monday (9:00–18:00).
    A deadline that ends exactly at closing time stays on that day. Zero
    hours is ``start`` itself; negative hours are an error.
    """
    if hours < 0:
        raise ValueError("hours must not be negative")
    start = _aware(start).astimezone(UTC)
    remaining = timedelta(hours=hours)
    if not remaining:
        return start
    day = calendar.local_date(start)
    for _step in range(MAX_DAYS):
        window = calendar.window(day)
        if window is not None:
            begin = max(start, window[0])
            if begin < window[1]:
                if remaining <= window[1] - begin:
                    return begin + remaining
                remaining -= window[1] - begin
        day += timedelta(days=1)
    raise BeyondHorizon("the business calendar has no open hours within three years")


def business_time_between(start: datetime, end: datetime, calendar: Calendar) -> timedelta:
    """The open time between ``start`` and ``end`` (negative when ``end`` is
    earlier): how long a job really waited, counted in business hours."""
    start, end = _aware(start).astimezone(UTC), _aware(end).astimezone(UTC)
    if end < start:
        return -business_time_between(end, start, calendar)
    total = timedelta(0)
    day, last = calendar.local_date(start), calendar.local_date(end)
    while day <= last:
        window = calendar.window(day)
        if window is not None:
            begin, finish = max(start, window[0]), min(end, window[1])
            if begin < finish:
                total += finish - begin
        day += timedelta(days=1)
    return total


def business_hours_between(start: datetime, end: datetime, calendar: Calendar) -> float:
    """:func:`business_time_between` in hours (``1.5`` is an hour and a half)."""
    return business_time_between(start, end, calendar).total_seconds() / 3600


def load_calendar() -> Calendar:
    """The stored business calendar (row 1) with its holidays and make-up
    days; the defaults (the instance's time zone, Monday to Friday,
    9:00–18:00) when nothing is stored."""
    row = db.session.get(BusinessCalendar, 1)
    exceptions = dict(db.session.execute(select(CalendarDay.day, CalendarDay.working)).all())
    if row is None:
        return Calendar(instance_timezone(), exceptions=exceptions)
    return Calendar(
        row.timezone, frozenset(row.workdays or ()), row.opens_minute, row.closes_minute, exceptions
    )
