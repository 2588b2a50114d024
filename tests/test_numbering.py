"""Numbered documents (``core.api.next_number``): patterns checked with the
field named, one counter per sequence and period, numbers given out in the
caller's transaction (a rolled-back write gives its number back), and two
writers at once never get the same number (two threads, each on its own
connection, on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from core.api import ValidationError, check_number_pattern, db, next_number
from core.models import NumberSequence

DEC = date(2026, 12, 5)
JAN = date(2027, 1, 2)


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("", "1 to 60"),
        ("HT-" + "x" * 60 + "{seq}", "1 to 60"),
        ("HT-{yyyy}", "exactly once"),
        ("HT-{seq}-{seq}", "exactly once"),
        ("HT-{year}-{seq}", "only {yyyy}"),
        ("HT-{seq:x}", "width"),
        ("HT-{seq:010}", "width"),
        ("HT-{seq", "Braces"),
    ],
)
def test_a_bad_pattern_is_refused_with_the_field_named(app, pattern, says):
    with pytest.raises(ValidationError) as refused:
        check_number_pattern(pattern, "contract_number")
    assert list(refused.value.errors) == ["contract_number"]
    assert says in refused.value.errors["contract_number"][0]


def test_numbers_count_up_and_restart_when_the_period_in_the_pattern_changes(app):
    pattern = "HT-{yyyy}{mm}-{seq:04}"
    first = [next_number("test.contract", pattern, on=DEC) for _ in range(3)]
    assert first == ["HT-202612-0001", "HT-202612-0002", "HT-202612-0003"]
    assert next_number("test.contract", pattern, on=JAN) == "HT-202701-0001"
    # another sequence with the same pattern counts on its own
    assert next_number("test.quote", pattern, on=DEC) == "HT-202612-0001"
    # a pattern without a date never restarts; without a width, no padding
    assert [next_number("test.mrn", "MRN{seq}", on=d) for d in (DEC, JAN)] == ["MRN1", "MRN2"]
    assert next_number("test.day", "{yy}{dd}/{seq:2}", on=DEC) == "2605/ 1"
    db.session.commit()
    keys = set(db.session.scalars(select(NumberSequence.key)))
    assert "test.contract|HT-202612-#" in keys and "test.contract|HT-202701-#" in keys


def test_a_rolled_back_write_gives_its_number_back(app):
    assert next_number("test.invoice", "F{seq:03}") == "F001"
    db.session.commit()
    assert next_number("test.invoice", "F{seq:03}") == "F002"
    db.session.rollback()
    assert next_number("test.invoice", "F{seq:03}") == "F002"


def test_today_is_the_instance_calendar_day(app):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(app.config["TRELLIS_TIMEZONE"])
    expected = f"D{datetime.now(zone):%Y%m%d}-1"
    assert next_number("test.today", "D{yyyy}{mm}{dd}-{seq}") == expected


def test_two_writers_at_once_get_different_numbers(app):
    db.session.commit()
    ready = threading.Barrier(2)
    got: list[str] = []
    errors: list[str] = []

    def number() -> None:
        with app.app_context():
            try:
                ready.wait()
                got.append(next_number("test.race", "R{seq:03}", on=DEC))
                db.session.commit()
            except Exception as exc:  # noqa: BLE001  (asserted below)
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=number) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(got) == ["R001", "R002"]
