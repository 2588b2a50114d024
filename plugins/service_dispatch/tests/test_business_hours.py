"""Business-hours arithmetic, every expected value worked out by hand: the
clock runs only while the office is open (Mon–Fri 9:00–18:00 unless said
otherwise), skips holidays, runs on 调休 make-up days, and keeps to the wall
clock across daylight saving time changes."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plugins.service_dispatch.models import BusinessCalendar, CalendarDay
from plugins.service_dispatch.services.business_hours import (
    Calendar,
    add_business_hours,
    business_hours_between,
    business_time_between,
    load_calendar,
)

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = Calendar("Asia/Shanghai")
#: National Day 2026 (Thu 1 Oct – Wed 7 Oct off) with Saturday 10 October worked (调休)
GOLDEN_WEEK = Calendar(
    "Asia/Shanghai",
    exceptions={**{date(2026, 10, d): False for d in range(1, 8)}, date(2026, 10, 10): True},
)
GERMANY = Calendar(timezone="Europe/Berlin")


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    "start, hours, due",
    [
        # Friday 17:00 + 2h: one hour on Friday, one on Monday → Monday 10:00
        (sh(2026, 11, 27, 17), 2, sh(2026, 11, 30, 10)),
        # Friday evening, after closing: the clock starts Monday 9:00
        (sh(2026, 11, 27, 20), 2, sh(2026, 11, 30, 11)),
        # Saturday morning: nothing counts until Monday
        (sh(2026, 11, 28, 10), 1, sh(2026, 11, 30, 10)),
        # before opening on a Monday
        (sh(2026, 11, 30, 7), 1, sh(2026, 11, 30, 10)),
        # a deadline exactly at closing time stays on that day
        (sh(2026, 11, 27, 17), 1, sh(2026, 11, 27, 18)),
        # 24 business hours from Monday 9:00: 9 (Mon) + 9 (Tue) + 6 (Wed) → Wednesday 15:00
        (sh(2026, 11, 30, 9), 24, sh(2026, 12, 2, 15)),
        # half an hour, inside the day
        (sh(2026, 11, 30, 9, 45), 0.5, sh(2026, 11, 30, 10, 15)),
        # 40 hours from Thursday 16:00: 2 (Thu) + 9 (Fri) + 9 + 9 + 9 (Mon–Wed) + 2 → Thu 11:00
        (sh(2026, 11, 26, 16), 40, sh(2026, 12, 3, 11)),
        # zero hours is the start itself, even at night
        (sh(2026, 11, 28, 23), 0, sh(2026, 11, 28, 23)),
    ],
)
def test_adding_business_hours_on_a_plain_week(start, hours, due):
    result = add_business_hours(start, hours, SHANGHAI)
    assert result == due
    assert result.tzinfo == UTC


def test_a_utc_start_is_read_on_the_calendars_clock():
    # 2026-11-27 23:30 UTC is Saturday 07:30 in Shanghai: Monday 9:00 + 1h
    start = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert add_business_hours(start, 1, SHANGHAI) == datetime(2026, 11, 30, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    "start, hours, due",
    [
        # Wednesday 30 Sep 17:00 + 3h: 1h that day, the holiday week, then Thu 8 Oct 11:00
        (sh(2026, 9, 30, 17), 3, sh(2026, 10, 8, 11)),
        # opened on a holiday: the clock waits for Thursday 8 October
        (sh(2026, 10, 3, 10), 4, sh(2026, 10, 8, 13)),
        # Friday 9 Oct 17:00 + 3h: 1h Friday, then the make-up Saturday 9:00–11:00
        (sh(2026, 10, 9, 17), 3, sh(2026, 10, 10, 11)),
        # 10h from Saturday 10 Oct 9:00: 9h that Saturday, 1h on Monday 12th
        (sh(2026, 10, 10, 9), 10, sh(2026, 10, 12, 10)),
    ],
)
def test_holidays_are_skipped_and_make_up_days_count(start, hours, due):
    assert add_business_hours(start, hours, GOLDEN_WEEK) == due


def test_without_the_make_up_day_the_weekend_is_skipped():
    assert add_business_hours(sh(2026, 10, 9, 17), 3, SHANGHAI) == sh(2026, 10, 12, 11)


@pytest.mark.parametrize(
    "start, hours, due",
    [
        # autumn: Fri 23 Oct 17:00 CEST (15:00 UTC) + 2h → Mon 26 Oct 10:00 CET (09:00 UTC)
        (datetime(2026, 10, 23, 15, tzinfo=UTC), 2, datetime(2026, 10, 26, 9, tzinfo=UTC)),
        # spring: Fri 27 Mar 17:00 CET (16:00 UTC) + 2h → Mon 30 Mar 10:00 CEST (08:00 UTC)
        (datetime(2026, 3, 27, 16, tzinfo=UTC), 2, datetime(2026, 3, 30, 8, tzinfo=UTC)),
        # a plain summer week: Mon 9:00 CEST is 07:00 UTC
        (datetime(2026, 6, 1, 5, tzinfo=UTC), 1, datetime(2026, 6, 1, 8, tzinfo=UTC)),
    ],
)
def test_daylight_saving_time_keeps_the_wall_clock_hours(start, hours, due):
    assert add_business_hours(start, hours, GERMANY) == due
    assert (
        add_business_hours(start, hours, GERMANY).astimezone(BERLIN).hour
        == due.astimezone(BERLIN).hour
    )


def test_a_round_the_clock_calendar_counts_the_25_hour_day_when_clocks_go_back():
    always = Calendar(
        timezone="Europe/Berlin",
        workdays=frozenset(range(7)),
        opens_minute=0,
        closes_minute=24 * 60,
    )
    start = datetime(2026, 10, 25, 0, tzinfo=BERLIN)  # Sunday, the day has 25 hours
    end = datetime(2026, 10, 26, 0, tzinfo=BERLIN)
    assert business_time_between(start, end, always) == timedelta(hours=25)
    assert add_business_hours(start, 25, always) == end


@pytest.mark.parametrize(
    "start, end, hours",
    [
        (sh(2026, 11, 30, 10), sh(2026, 11, 30, 12, 30), 2.5),  # inside one day
        (sh(2026, 11, 27, 17), sh(2026, 11, 30, 10), 2),  # over the weekend
        (sh(2026, 11, 27, 19), sh(2026, 11, 30, 8), 0),  # all of it closed
        (sh(2026, 11, 30, 7), sh(2026, 12, 2, 20), 27),  # three whole days
        (sh(2026, 11, 30, 12), sh(2026, 11, 30, 10), -2),  # the wrong way round is negative
    ],
)
def test_business_hours_between_two_moments(start, end, hours):
    assert business_hours_between(start, end, SHANGHAI) == hours


def test_business_time_between_skips_holidays_and_counts_make_up_days():
    # Wed 30 Sep 17:00 → Mon 12 Oct 10:00: 1 (Wed) + 9 (Thu 8) + 9 (Fri 9) + 9 (Sat 10) + 1
    assert business_time_between(
        sh(2026, 9, 30, 17), sh(2026, 10, 12, 10), GOLDEN_WEEK
    ) == timedelta(hours=29)
    # DST: Friday 17:00 CEST → Monday 10:00 CET is 2 business hours, not 66 real ones
    assert (
        business_hours_between(
            datetime(2026, 10, 23, 15, tzinfo=UTC), datetime(2026, 10, 26, 9, tzinfo=UTC), GERMANY
        )
        == 2
    )


@pytest.mark.parametrize("hours", [1, 7.25, 9, 30, 100])
def test_adding_then_measuring_gives_the_hours_back(hours):
    start = sh(2026, 9, 29, 11, 20)
    due = add_business_hours(start, hours, GOLDEN_WEEK)
    assert business_hours_between(start, due, GOLDEN_WEEK) == hours


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="naive"):
        add_business_hours(datetime(2026, 11, 30, 9), 1, SHANGHAI)
    with pytest.raises(ValueError, match="naive"):
        business_time_between(datetime(2026, 11, 30, 9), sh(2026, 11, 30, 9), SHANGHAI)
    with pytest.raises(ValueError, match="negative"):
        add_business_hours(sh(2026, 11, 30, 9), -1, SHANGHAI)
    never = Calendar("Asia/Shanghai", workdays=frozenset())
    with pytest.raises(ValueError, match="no open hours"):
        add_business_hours(sh(2026, 11, 30, 9), 1, never)


def test_load_calendar_reads_the_stored_calendar_and_its_days(db):
    assert load_calendar() == Calendar("UTC")  # nothing stored: the defaults, the instance's zone
    db.session.add_all(
        [
            BusinessCalendar(
                id=1,
                timezone="Europe/Berlin",
                workdays=[0, 1, 2, 3],
                opens_minute=8 * 60,
                closes_minute=16 * 60 + 30,
            ),
            CalendarDay(day=date(2026, 12, 24), working=False, name="Christmas Eve"),
            CalendarDay(day=date(2026, 12, 27), working=True, name="Stocktaking"),
        ]
    )
    db.session.commit()
    calendar = load_calendar()
    assert (
        calendar.timezone,
        calendar.workdays,
        calendar.opens_minute,
        calendar.closes_minute,
    ) == ("Europe/Berlin", frozenset({0, 1, 2, 3}), 480, 990)
    assert calendar.is_working_day(date(2026, 12, 23))  # Wednesday
    assert not calendar.is_working_day(date(2026, 12, 24))  # a Thursday, but a holiday
    assert not calendar.is_working_day(date(2026, 12, 25))  # Friday is no workday here
    assert calendar.is_working_day(date(2026, 12, 27))  # a Sunday worked
    assert calendar.is_working_day(date(2026, 12, 28))  # Monday
    # Wed 23 Dec 16:00 CET + 2h: 0.5h on Wednesday, then Sun 27 Dec 8:00 + 1.5h = 09:30
    assert add_business_hours(datetime(2026, 12, 23, 16, tzinfo=BERLIN), 2, calendar) == datetime(
        2026, 12, 27, 9, 30, tzinfo=BERLIN
    )
