"""Core's follow-up rule and due list; events fire only after commit."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.api import transaction
from core.errors import ValidationError
from core.followups import create_plan, due_list, run_due
from core.models import Activity, Customer, utcnow
from core.services.activities import log_activity
from core.services.customers import create_customer
from core.testing import plugin_module


def tasks(db):
    return db.session.scalars(
        select(Activity).where(Activity.plan_id.is_not(None)).order_by(Activity.customer_id)
    ).all()


def test_grade_a_customers_not_contacted_for_n_days_get_one_revisit(db, make_user, make_customer):
    rep = make_user()
    never = make_customer(name="Never", grade="A", owner_id=rep.id)
    stale = make_customer(name="Stale", grade="A", owner_id=rep.id)
    log_activity(
        {
            "kind": "call",
            "subject": "old",
            "customer_id": stale.id,
            "occurred_at": (utcnow() - timedelta(days=20)).isoformat(),
        },
        rep,
    )
    recent = make_customer(name="Recent", grade="A", owner_id=rep.id)
    log_activity({"kind": "visit", "subject": "new", "customer_id": recent.id}, rep)
    make_customer(name="Grade B", grade="B", owner_id=rep.id)
    make_customer(name="In pool", grade="A")
    busy = make_customer(name="Busy", grade="A", owner_id=rep.id)
    log_activity(
        {"kind": "task", "subject": "open", "customer_id": busy.id, "due_at": utcnow().isoformat()},
        rep,
    )

    create_plan(
        {
            "name": "A every 14 days",
            "rule": "customer_interval",
            "params": {"grade": "A", "every_days": 14},
        },
        None,
    )
    first = run_due()
    assert (first.plans, first.created) == (1, 2)
    assert [t.customer_id for t in tasks(db)] == [never.id, stale.id]
    assert all(t.owner_id == rep.id and t.is_open for t in tasks(db))
    assert run_due().created == 0 and len(tasks(db)) == 2


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"rule": "customer_interval", "params": {"every_days": 0}}, "params"),
        ({"rule": "customer_interval", "params": {"every_days": "14"}}, "params"),
        ({"rule": "customer_interval", "params": {"every_days": 7, "grade": "Z"}}, "params"),
        ({"rule": "astrology", "params": {}}, "rule"),
    ],
)
def test_a_plan_with_bad_settings_is_refused(db, payload, field):
    with pytest.raises(ValidationError) as err:
        create_plan({"name": "x", **payload}, None)
    assert field in err.value.errors


def test_the_due_list_splits_overdue_today_and_upcoming(make_user, make_customer):
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    now = utcnow().replace(hour=12)
    for days, subject in [(-2, "late"), (0, "today"), (3, "soon"), (30, "far")]:
        log_activity(
            {
                "kind": "task",
                "subject": subject,
                "customer_id": customer.id,
                "due_at": (now + timedelta(days=days)).isoformat(),
            },
            rep,
        )
    due = due_list([rep.id], now=now)
    assert {k: [t.subject for t in v] for k, v in due.items()} == {
        "overdue": ["late"],
        "today": ["today"],
        "upcoming": ["soon"],
    }


def test_today_is_the_users_day_in_their_time_zone(make_user, make_customer):
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    now = datetime(2026, 1, 10, 17, 0, tzinfo=UTC)  # 01:00 on the 11th in Shanghai
    for due, subject in [
        (datetime(2026, 1, 10, 16, 0), "an hour ago"),
        (datetime(2026, 1, 11, 10, 0), "evening in Shanghai"),
    ]:
        log_activity(
            {
                "kind": "task",
                "subject": subject,
                "customer_id": customer.id,
                "due_at": due.replace(tzinfo=UTC).isoformat(),
            },
            rep,
        )

    def split(**kw):
        return {k: [t.subject for t in v] for k, v in due_list([rep.id], now=now, **kw).items()}

    assert split(tz=ZoneInfo("Asia/Shanghai")) == {
        "overdue": ["an hour ago"],
        "today": ["evening in Shanghai"],
        "upcoming": [],
    }
    assert split() == {"overdue": ["an hour ago"], "today": [], "upcoming": ["evening in Shanghai"]}


def test_events_fire_after_commit_and_not_at_all_on_rollback(db, events):
    with pytest.raises(RuntimeError):
        with transaction():
            create_customer({"name": "Doomed"}, None)
            assert events.fired == []  # nested: not committed yet
            raise RuntimeError("crash after the write")
    assert events.fired == []
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0
    with transaction():
        create_customer({"name": "One"}, None)
        create_customer({"name": "Two"}, None)
        assert events.fired == []
    assert [e["customer"].name for e in events.of("customer_created")] == ["One", "Two"]


def test_a_failing_subscriber_is_logged_and_the_change_stands(register_plugin, events, db, caplog):
    def explode(customer):
        raise RuntimeError("subscriber bug")

    register_plugin(plugin_module("boom", trellis_customer_created=explode))
    created = create_customer({"name": "Survivor"}, None).customer
    assert db.session.get(Customer, created.id) is not None
    assert events.names() == ["customer_created"]  # the other subscriber still ran
    assert "plugin 'boom' failed handling event customer_created" in caplog.text


def test_a_write_that_loses_the_race_in_the_database_is_a_stale_version(db, make_customer):
    """The version check passed in Python, but another process committed first:
    the UPDATE's ``WHERE version = ...`` matches no row."""
    from sqlalchemy import update

    from core.errors import StaleVersionError

    customer = make_customer(name="Raced")
    with db.engine.begin() as other_process:
        other_process.execute(
            update(Customer).where(Customer.id == customer.id).values(version=Customer.version + 1)
        )
    with pytest.raises(StaleVersionError) as lost:
        with transaction():
            customer.name = "Mine"
    assert lost.value.entity == "customer"
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).name == "Raced"


def test_hook_customers_not_to_contact_keeps_every_rule_away(
    db, register_plugin, make_user, make_customer
):
    rep = make_user()
    barred = make_customer(name="Do not call", grade="A", owner_id=rep.id)
    other = make_customer(name="Callable", grade="A", owner_id=rep.id)
    asked: list[list[int]] = []

    def trellis_customers_not_to_contact(customer_ids):
        asked.append(customer_ids)
        return [barred.id] if barred.id in customer_ids else []

    register_plugin(
        plugin_module("quiet", trellis_customers_not_to_contact=trellis_customers_not_to_contact)
    )
    create_plan(
        {"name": "A", "rule": "customer_interval", "params": {"grade": "A", "every_days": 14}}, None
    )
    report = run_due()
    assert (report.plans, report.created) == (1, 1)
    assert [t.customer_id for t in tasks(db)] == [other.id]
    assert asked == [sorted([barred.id, other.id])]  # one question for the whole run
