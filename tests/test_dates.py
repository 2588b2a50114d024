"""``core.api.add_months``: the same day some months later, or the last day
of a shorter month; across years, backwards too."""

from __future__ import annotations

from datetime import date

import pytest

from core.api import add_months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 15), 1, date(2026, 4, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # a shorter month: its last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),  # across the new year
        (date(2026, 12, 5), 12, date(2027, 12, 5)),
        (date(2026, 12, 5), 25, date(2029, 1, 5)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # backwards
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 1, 15), -13, date(2024, 12, 15)),
        (date(2026, 5, 20), 0, date(2026, 5, 20)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_a_monthly_schedule_from_the_31st_does_not_drift():
    # each date from the first one, not from the one before: March is the 31st again
    first = date(2026, 1, 31)
    assert [add_months(first, k) for k in range(3)] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
