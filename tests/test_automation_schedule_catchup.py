"""Slots missed while no worker ran: a schedule rule due for several slots
runs once, for the latest, logs a skipped run saying how many slots it
stands for, and moves on to the next future slot; a date rule works
through each missed day, every record whose date fell on one of them
processed once — and not again when the same days come round once more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.api import db
from core.automation import run_schedules, save_rule
from core.automation import schedules as clock
from core.models import AutomationRule, AutomationRun, Customer
from core.services.contacts import create_contact
from core.services.customers import create_customer

TAG = {"type": "add_tag", "params": {"tag": "daily"}}
TASK = {"type": "create_task", "params": {"title": "Renewal call"}}


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.com", name="Ada Admin")


def rule(admin, trigger, actions):
    return save_rule({"name": "Clock", "trigger": trigger, "actions": actions}, None, admin)


def runs() -> list[AutomationRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(AutomationRun).order_by(AutomationRun.id)))


def due_at(made: AutomationRule, slot: datetime) -> None:
    db.session.get(AutomationRule, made.id).next_run_at = slot
    db.session.commit()


def next_run(made: AutomationRule) -> datetime:
    db.session.expire_all()
    found = db.session.get(AutomationRule, made.id).next_run_at
    assert found is not None
    return found


def test_a_schedule_down_for_four_days_runs_once_and_logs_the_missed_slots(admin, caplog):
    made = rule(admin, {"kind": "schedule", "cron": "0 9 * * *", "record_type": "customer"}, [TAG])
    acme = create_customer({"name": "Acme"}, admin).customer
    first = datetime(2026, 3, 2, 9, tzinfo=UTC)  # the worker stopped before this slot
    due_at(made, first)
    now = datetime(2026, 3, 5, 10, 30, tzinfo=UTC)  # it comes back after the 5th's slot
    assert run_schedules(now) == "1 of 1 due schedules run, 2 runs staged"
    done, note = runs()
    assert (done.status, done.record_id, done.slot) == ("done", acme.id, "2026-03-05T09:00Z")
    assert (note.status, note.record_id, note.slot) == ("skipped", None, "2026-03-05T09:00Z")
    assert "4 slots were missed" in note.error
    assert "2026-03-02T09:00Z" in note.error and "2026-03-05T09:00Z" in note.error
    assert "4 missed slots" in caplog.text
    assert [t.name for t in db.session.get(Customer, acme.id).tags] == ["daily"]
    assert next_run(made) == datetime(2026, 3, 6, 9, tzinfo=UTC)
    assert run_schedules(now + timedelta(minutes=1)).startswith("0 of 0")


def test_a_schedule_a_little_late_for_one_slot_is_no_catch_up(admin):
    made = rule(admin, {"kind": "schedule", "cron": "0 * * * *", "record_type": "customer"}, [TAG])
    acme = create_customer({"name": "Acme"}, admin).customer
    slot = datetime(2026, 3, 2, 9, tzinfo=UTC)
    due_at(made, slot)
    assert clock.run_slot(made.id, slot, slot + timedelta(minutes=59)) == 1
    [run] = runs()
    assert (run.slot, run.record_id, run.status) == ("2026-03-02T09:00Z", acme.id, "done")
    assert next_run(made) == slot + timedelta(hours=1)


def test_a_minute_schedule_missed_for_weeks_counts_at_most_the_cap(admin, monkeypatch):
    monkeypatch.setattr(clock, "MAX_COUNTED", 50)
    made = rule(admin, {"kind": "schedule", "cron": "* * * * *", "record_type": "customer"}, [TAG])
    create_customer({"name": "Acme"}, admin)
    slot = datetime(2026, 3, 1, tzinfo=UTC)
    due_at(made, slot)
    now = datetime(2026, 3, 20, 12, 0, 30, tzinfo=UTC)
    assert clock.run_slot(made.id, slot, now) == 2
    run, note = runs()
    assert run.slot == "2026-03-20T12:00Z" and "50+ slots were missed" in note.error
    assert next_run(made) == datetime(2026, 3, 20, 12, 1, tzinfo=UTC)


def test_a_date_rule_down_for_days_fires_for_each_missed_day_once(admin):
    trigger = {
        "kind": "date",
        "record_type": "contact",
        "field": "birthday",
        "offset_days": 0,
        "hour": 9,
    }
    made = rule(admin, trigger, [TASK])
    customer = create_customer({"name": "Acme"}, admin).customer
    born = {}
    for name, day in [("Before", 1), ("Mon", 2), ("Tue", 3), ("Wed", 4), ("Later", 6)]:
        born[name] = create_contact(
            {"customer_id": customer.id, "name": name, "birthday": f"2026-03-0{day}"}, admin
        )
    due_at(made, datetime(2026, 3, 2, 9, tzinfo=UTC))
    now = datetime(2026, 3, 4, 12, tzinfo=UTC)
    assert run_schedules(now) == "1 of 1 due schedules run, 3 runs staged"
    fired = runs()
    assert [(r.record_id, r.slot, r.status) for r in fired] == [
        (born["Mon"].id, "2026-03-02", "done"),
        (born["Tue"].id, "2026-03-03", "done"),
        (born["Wed"].id, "2026-03-04", "done"),
    ]
    assert next_run(made) == datetime(2026, 3, 5, 9, tzinfo=UTC)
    # the same days once more (the rule saved again, its slot set back): nothing twice
    due_at(made, datetime(2026, 3, 2, 9, tzinfo=UTC))
    assert clock.run_slot(made.id, datetime(2026, 3, 2, 9, tzinfo=UTC), now) == 0
    assert len(runs()) == 3


def test_a_date_rule_down_for_years_catches_up_the_last_year_only(admin, monkeypatch):
    monkeypatch.setattr(clock, "MAX_CATCH_UP_DAYS", 3)
    made = rule(
        admin,
        {"kind": "date", "record_type": "contact", "field": "birthday", "yearly": True},
        [TASK],
    )
    customer = create_customer({"name": "Acme"}, admin).customer
    create_contact({"customer_id": customer.id, "name": "Old", "birthday": "1990-01-10"}, admin)
    new = create_contact(
        {"customer_id": customer.id, "name": "New", "birthday": "1990-03-03"}, admin
    )
    due_at(made, datetime(2024, 1, 10, 9, tzinfo=UTC))
    assert (
        clock.run_slot(
            made.id, datetime(2024, 1, 10, 9, tzinfo=UTC), datetime(2026, 3, 4, 10, tzinfo=UTC)
        )
        == 1
    )
    [run] = runs()
    assert (run.record_id, run.slot) == (new.id, "2026-03-03")
