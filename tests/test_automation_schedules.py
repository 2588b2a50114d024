"""Rules on the clock: a cron schedule read in the instance's time zone
(refused naming ``trigger.cron`` when it is not five valid fields), a due
slot claimed once however many workers try, one run per matching record
up to the cap with the rest logged as skipped; a date trigger firing once
per (rule, record, date) — again when the date changes — for a yearly
birthday and for a datetime column a day after."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.api import db
from core.automation import run_schedules, save_rule
from core.automation import schedules as clock
from core.errors import ValidationError
from core.models import Activity, AutomationRule, AutomationRun, Customer
from core.services.contacts import create_contact, update_contact
from core.services.customers import create_customer

TAG = {"type": "add_tag", "params": {"tag": "weekly"}}
TASK = {"type": "create_task", "params": {"title": "Send wishes"}}


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.com", name="Ada Admin")


@pytest.fixture
def shanghai(make_app):
    return make_app(TRELLIS_TIMEZONE="Asia/Shanghai")


def rule(admin, trigger, actions, conditions=None):
    return save_rule(
        {"name": "Clock", "trigger": trigger, "conditions": conditions or [], "actions": actions},
        None,
        admin,
    )


def runs() -> list[AutomationRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(AutomationRun).order_by(AutomationRun.id)))


def slot_of(made: AutomationRule) -> datetime:
    db.session.expire_all()
    found = db.session.get(AutomationRule, made.id).next_run_at
    assert found is not None
    return found


@pytest.mark.parametrize("cron", ["61 * * * *", "0 9 * *", "0 0 9 * * 1", "every monday", ""])
def test_a_bad_cron_expression_is_refused_naming_trigger_cron(admin, cron):
    with pytest.raises(ValidationError) as refused:
        rule(admin, {"kind": "schedule", "cron": cron, "record_type": "customer"}, [TAG])
    assert list(refused.value.errors) == ["trigger.cron"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AutomationRule)) == 0


def test_the_next_slot_is_read_in_the_instances_time_zone(admin, shanghai):
    made = rule(admin, {"kind": "schedule", "cron": "0 9 * * *", "record_type": "customer"}, [TAG])
    slot = slot_of(made)
    assert slot.astimezone(UTC).hour == 1 and slot.minute == 0  # 09:00 in Shanghai
    assert timedelta(0) < slot - datetime.now(UTC) <= timedelta(days=1)
    assert made.event == clock.SCHEDULE and made.trigger["cron"] == "0 9 * * *"


def test_a_due_slot_runs_once_however_many_workers_claim_it(admin):
    made = rule(
        admin,
        {"kind": "schedule", "cron": "*/5 * * * *", "record_type": "customer"},
        [TAG],
        conditions=[{"field": "grade", "op": "eq", "value": "A"}],
    )
    keen = [create_customer({"name": f"A{i}", "grade": "A"}, admin).customer for i in range(2)]
    create_customer({"name": "B", "grade": "B"}, admin)
    slot = slot_of(made)
    after = slot + timedelta(seconds=30)
    assert clock.run_slot(made.id, slot, after) == 2
    assert clock.run_slot(made.id, slot, after) is None  # the other worker: already taken
    assert run_schedules(after) == "0 of 0 due schedules run, 0 runs staged"
    done = runs()
    assert sorted(r.record_id for r in done) == sorted(c.id for c in keen)
    assert {(r.status, r.slot, r.event) for r in done} == {
        ("done", slot.strftime("%Y-%m-%dT%H:%MZ"), "@schedule")
    }
    assert all(["weekly"] == [t.name for t in db.session.get(Customer, c.id).tags] for c in keen)
    assert slot_of(made) == slot + timedelta(minutes=5)
    assert run_schedules(slot + timedelta(minutes=5)).startswith("1 of 1 due schedules run")


def test_a_slot_stages_at_most_the_cap_and_logs_the_rest_skipped(admin, monkeypatch):
    monkeypatch.setattr(clock, "MAX_RECORDS_PER_SLOT", 2)
    made = rule(admin, {"kind": "schedule", "cron": "0 * * * *", "record_type": "customer"}, [TAG])
    for i in range(3):
        create_customer({"name": f"C{i}"}, admin)
    slot = slot_of(made)
    assert clock.run_slot(made.id, slot, slot) == 3
    done = runs()
    assert [r.status for r in done] == ["done", "done", "skipped"]
    assert done[2].record_id is None and done[2].error == f"{clock.OVER_CAP}: 1 more of customer"


def test_a_switched_off_rule_is_not_due(admin):
    made = rule(admin, {"kind": "schedule", "cron": "* * * * *", "record_type": "customer"}, [TAG])
    save_rule({"active": False, "version": made.version}, made, admin)
    assert run_schedules(slot_of(made) + timedelta(minutes=1)).startswith("0 of 0")


def birthday_rule(admin):
    trigger = {
        "kind": "date",
        "record_type": "contact",
        "field": "birthday",
        "offset_days": -7,
        "hour": 8,
        "yearly": True,
    }
    return rule(admin, trigger, [TASK])


def test_a_birthday_fires_once_a_week_before_and_again_when_it_changes(admin, shanghai):
    made = birthday_rule(admin)
    customer = create_customer({"name": "Acme"}, admin).customer
    slot = slot_of(made)
    today = slot.astimezone(clock.ZoneInfo("Asia/Shanghai")).date()
    assert slot.astimezone(clock.ZoneInfo("Asia/Shanghai")).hour == 8
    week = today + timedelta(days=7)
    li = create_contact(
        {"customer_id": customer.id, "name": "Li", "birthday": f"1990-{week:%m-%d}"}, admin
    )
    other = week + timedelta(days=30)
    create_contact(
        {"customer_id": customer.id, "name": "Wang", "birthday": f"1990-{other:%m-%d}"}, admin
    )
    assert clock.run_slot(made.id, slot, slot) == 1
    [run] = runs()
    assert (run.record_type, run.record_id, run.slot) == ("contact", li.id, week.isoformat())
    assert run.status == "done"
    # the same date on another slot (the rule saved again that day): not again
    db.session.get(AutomationRule, made.id).next_run_at = slot
    db.session.commit()
    assert clock.run_slot(made.id, slot, slot) == 0
    # the birthday moves a day later: it fires again, for the new date
    update_contact(li, {"birthday": f"1990-{week + timedelta(days=1):%m-%d}"}, admin)
    tomorrow = slot_of(made)
    assert tomorrow == slot + timedelta(days=1)
    assert clock.run_slot(made.id, tomorrow, tomorrow) == 1
    assert [r.slot for r in runs()] == [week.isoformat(), (week + timedelta(days=1)).isoformat()]
    tasks = db.session.scalars(select(Activity).where(Activity.kind == "task")).all()
    assert [t.link_type for t in tasks] == ["contact", "contact"]


def test_a_datetime_column_fires_by_its_day_in_the_instances_zone(admin, shanghai):
    trigger = {
        "kind": "date",
        "record_type": "customer",
        "field": "next_follow_up_at",
        "offset_days": 1,
    }
    made = rule(admin, trigger, [TAG])
    slot = slot_of(made)
    today = slot.astimezone(clock.ZoneInfo("Asia/Shanghai")).date()
    yesterday_late = datetime.combine(today - timedelta(days=1), datetime.min.time(), UTC)
    yesterday_late += timedelta(hours=15, minutes=30)  # 23:30 in Shanghai, yesterday
    today_early = yesterday_late + timedelta(hours=1)  # 00:30 in Shanghai: today, not yesterday
    due = create_customer({"name": "Due"}, admin).customer
    due.next_follow_up_at = yesterday_late
    early = create_customer({"name": "Not yet"}, admin).customer
    early.next_follow_up_at = today_early
    db.session.commit()
    assert clock.run_slot(made.id, slot, slot) == 1
    [run] = runs()
    assert run.record_id == due.id and run.slot == (today - timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("trigger", "field"),
    [
        ({"record_type": "contact", "field": "name"}, "trigger.field"),
        ({"record_type": "nowhere", "field": "birthday"}, "trigger.record_type"),
        ({"field": "birthday"}, "trigger.record_type"),
        (
            {"record_type": "contact", "field": "birthday", "offset_days": 400},
            "trigger.offset_days",
        ),
        ({"record_type": "contact", "field": "birthday", "hour": 24}, "trigger.hour"),
        (
            {"record_type": "customer", "field": "next_follow_up_at", "yearly": True},
            "trigger.yearly",
        ),
    ],
)
def test_a_wrong_date_trigger_is_refused_naming_the_field(admin, trigger, field):
    with pytest.raises(ValidationError) as refused:
        rule(admin, {"kind": "date", **trigger}, [TASK])
    assert field in refused.value.errors


def test_a_leap_day_birthday_is_kept_on_the_28th_in_other_years(admin, make_app):
    made = birthday_rule(admin)
    customer = create_customer({"name": "Acme"}, admin).customer
    leap = create_contact(
        {"customer_id": customer.id, "name": "Leap", "birthday": "2000-02-29"}, admin
    )
    slot = datetime(2027, 2, 21, 8, tzinfo=UTC)  # 2027-02-28 is 7 days on; 2027 has no 29th
    db.session.get(AutomationRule, made.id).next_run_at = slot
    db.session.commit()
    assert clock.run_slot(made.id, slot, slot) == 1
    [run] = runs()
    assert run.record_id == leap.id and run.slot == date(2027, 2, 28).isoformat()


def test_two_workers_claiming_one_slot_at_once_run_it_once(admin, app):
    import threading

    made = rule(admin, {"kind": "schedule", "cron": "0 * * * *", "record_type": "customer"}, [TAG])
    create_customer({"name": "Acme"}, admin)
    slot = slot_of(made)
    db.session.remove()
    start = threading.Barrier(2)
    outcomes: list = []

    def worker() -> None:
        with app.app_context():
            start.wait()
            try:
                outcomes.append(clock.run_slot(made.id, slot, slot))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes, key=str) == [1, None]
    assert len(runs()) == 1
