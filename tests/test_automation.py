"""Automation rules end to end: a rule on an event (or a field changing to
a value) writes a run with the change, the run evaluates its conditions
(again) after the commit and runs its actions through the services — a task, an
owner (a user, or round robin in a team), a field, a tag, a signed webhook
to a real local receiver — each logged; a failing action is retried with
back-off and ends failed; two rules that feed each other stop at the depth."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.api import db, utcnow
from core.automation import retry_due, save_rule
from core.automation.conditions import holds
from core.automation.runs import LOOP, MAX_ATTEMPTS, MAX_DEPTH, OWN_CHANGE
from core.models import Activity, AuditEntry, AutomationRule, AutomationRun, Customer
from core.services.customers import create_customer, update_customer
from core.services.users import create_team


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.com", name="Ada Admin")


def rule(admin, trigger, actions, conditions=None, name="Rule"):
    return save_rule(
        {"name": name, "trigger": trigger, "conditions": conditions or [], "actions": actions},
        None,
        admin,
    )


def runs() -> list[AutomationRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(AutomationRun).order_by(AutomationRun.id)))


def tasks(customer_id: int) -> list[Activity]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Activity).where(Activity.customer_id == customer_id, Activity.kind == "task")
        )
    )


TASK = {"type": "create_task", "params": {"title": "Call within a day", "due_in_days": 1}}


def test_an_event_rule_creates_a_task_for_the_owner_after_the_commit(admin, make_user):
    rep = make_user(name="Rep")
    made = rule(admin, {"kind": "event", "event": "customer_created"}, [TASK])
    customer = create_customer({"name": "Acme", "owner_id": rep.id}, admin).customer
    [task] = tasks(customer.id)
    assert task.subject == "Call within a day" and task.owner_id == rep.id
    assert timedelta(hours=23) < task.due_at - utcnow() <= timedelta(days=1)
    [run] = runs()
    assert (run.rule_id, run.event, run.record_type, run.record_id) == (
        made.id,
        "customer_created",
        "customer",
        customer.id,
    )
    assert run.status == "done" and run.matched is True and run.attempts == 1
    assert run.results == [{"type": "create_task", "ok": True, "detail": f"task {task.id} created"}]
    assert run.duration_ms is not None and run.depth == 0


def test_a_rolled_back_change_runs_nothing(admin):
    from core.events import transaction

    rule(admin, {"kind": "event", "event": "customer_created"}, [TASK])
    with pytest.raises(RuntimeError), transaction():
        create_customer({"name": "Never"}, admin)
        raise RuntimeError("undo")
    assert runs() == []
    assert db.session.scalar(select(Customer).where(Customer.name == "Never")) is None


def test_a_field_changed_rule_fires_only_when_the_field_goes_to_its_value(admin):
    rule(
        admin,
        {"kind": "field_changed", "event": "customer_updated", "field": "grade", "value": "A"},
        [{"type": "add_tag", "params": {"tag": "key account"}}],
    )
    customer = create_customer({"name": "Acme", "grade": "B"}, admin).customer
    update_customer(customer, {"notes": "no grade change"}, admin)
    update_customer(customer, {"grade": "C"}, admin)
    assert runs() == []
    update_customer(customer, {"grade": "A"}, admin)
    [run] = runs()
    assert run.status == "done" and run.results[0]["detail"] == "tagged key account"
    db.session.refresh(customer)
    assert [t.name for t in customer.tags] == ["key account"]


def test_any_change_of_a_field_fires_a_rule_that_names_no_value(admin):
    rule(
        admin,
        {"kind": "field_changed", "field": "source"},
        [{"type": "update_field", "params": {"field": "notes", "value": "source changed"}}],
    )
    customer = create_customer({"name": "Acme", "source": "web"}, admin).customer
    update_customer(customer, {"source": "fair"}, admin)
    [run] = runs()
    assert run.event == "customer_updated" and run.status == "done"
    db.session.refresh(customer)
    assert customer.notes == "source changed"


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "A", True),
        ("eq", "B", False),
        ("ne", "B", True),
        ("in", ["B", "A"], True),
        ("in", ["B", "C"], False),
        ("contains", "Trad", True),
        ("contains", "Foods", False),
        ("empty", None, False),
        ("not_empty", None, True),
    ],
)
def test_each_condition_op_on_a_customer(admin, op, value, expected):
    customer = create_customer({"name": "Acme Trading", "grade": "A"}, admin).customer
    field = "name" if op in ("contains", "empty", "not_empty") else "grade"
    condition = {"field": field, "op": op, "value": value}
    assert holds([condition], customer) is expected


def test_gt_lt_compare_numbers_and_dates_and_empty_checks_lists(admin):
    customer = create_customer({"name": "Acme", "phones": [], "custom_fields": {}}, admin).customer
    assert holds([{"field": "id", "op": "gt", "value": customer.id - 1}], customer)
    assert not holds([{"field": "id", "op": "lt", "value": str(customer.id)}], customer)
    assert holds([{"field": "created_at", "op": "gt", "value": "2000-01-01"}], customer)
    assert holds([{"field": "created_at", "op": "lt", "value": "2999-01-01"}], customer)
    assert holds([{"field": "phones", "op": "empty"}], customer)
    assert not holds([{"field": "next_follow_up_at", "op": "gt", "value": "2000-01-01"}], customer)


def test_conditions_that_do_not_hold_log_an_unmatched_run(admin):
    rule(
        admin,
        {"kind": "event", "event": "customer_created"},
        [TASK],
        conditions=[
            {"field": "grade", "op": "eq", "value": "A"},
            {"field": "source", "op": "eq", "value": "web"},
        ],
    )
    missed = create_customer({"name": "B grade", "grade": "B", "source": "web"}, admin).customer
    hit = create_customer({"name": "A grade", "grade": "A", "source": "web"}, admin).customer
    first, second = runs()
    assert (first.status, first.matched, first.results) == ("done", False, [])
    assert (second.status, second.matched) == ("done", True)
    assert tasks(missed.id) == [] and len(tasks(hit.id)) == 1


def test_assign_owner_to_a_user(admin, make_user):
    rep = make_user(name="Rep")
    rule(
        admin,
        {"kind": "event", "event": "customer_created"},
        [{"type": "assign_owner", "params": {"user_id": rep.id}}],
    )
    customer = create_customer({"name": "Acme"}, admin).customer
    db.session.refresh(customer)
    assert customer.owner_id == rep.id and customer.team_id == rep.team_id
    assert runs()[0].results[0]["detail"] == "assigned to Rep"


def test_round_robin_within_a_team_skips_inactive_users_and_remembers_the_last(admin, make_user):
    east = create_team("Sales East", admin)
    first = make_user(name="First", team_id=east.id)
    away = make_user(name="Away", team_id=east.id)
    third = make_user(name="Third", team_id=east.id)
    make_user(name="Elsewhere")
    away.active = False
    db.session.commit()
    made = rule(
        admin,
        {"kind": "event", "event": "customer_created"},
        [{"type": "assign_owner", "params": {"team_id": east.id}}],
    )
    owners = []
    for name in ("One", "Two", "Three"):
        customer = create_customer({"name": name}, admin).customer
        db.session.refresh(customer)
        owners.append(customer.owner_id)
    assert owners == [first.id, third.id, first.id]
    db.session.refresh(made)
    assert made.last_assigned_id == first.id


def test_update_field_goes_through_the_customer_service(admin, trellis_events):
    rule(
        admin,
        {"kind": "event", "event": "customer_created"},
        [{"type": "update_field", "params": {"field": "stage", "value": "prospect"}}],
    )
    customer = create_customer({"name": "Acme"}, admin).customer
    db.session.refresh(customer)
    assert customer.stage.value == "prospect"
    assert "customer_updated" in trellis_events.names()
    entry = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "customer", AuditEntry.entity_id == customer.id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.user_id is None  # the system acted, whoever made the rule
    assert (entry.before["stage"], entry.after["stage"]) == ("lead", "prospect")


def test_call_webhook_posts_the_record_signed_to_a_real_receiver(admin, trellis_webhook_receiver):
    from core.webhooks import verify

    made = rule(
        admin,
        {"kind": "event", "event": "customer_created"},
        [
            {
                "type": "call_webhook",
                "params": {"url": trellis_webhook_receiver.url, "allow_internal": True},
            }
        ],
    )
    secret = made.actions[0]["params"]["secret"]
    assert secret.startswith("whsec_")
    logged = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "automation_rule")
    ).one()
    assert (
        secret not in str(logged.after) and logged.after["actions"][0]["params"]["secret"] == "***"
    )
    customer = create_customer({"name": "Hooked"}, admin).customer
    [request] = trellis_webhook_receiver.requests
    assert verify(secret, request.headers["Trellis-Signature"], request.body)
    body = request.json()
    assert body["event"] == "customer_created" and body["data"]["rule"] == "Rule"
    assert body["data"]["record"]["id"] == customer.id
    [run] = runs()
    assert request.headers["Trellis-Delivery"] == f"automation-run-{run.id}"
    assert run.status == "done" and run.results[0]["detail"].startswith("HTTP 200")


def test_a_failing_action_is_retried_with_back_off_then_fails(admin, trellis_webhook_receiver):
    trellis_webhook_receiver.then = 500
    rule(
        admin,
        {"kind": "event", "event": "customer_created"},
        [
            TASK,
            {
                "type": "call_webhook",
                "params": {"url": trellis_webhook_receiver.url, "allow_internal": True},
            },
        ],
    )
    customer = create_customer({"name": "Down"}, admin).customer
    [run] = runs()
    assert run.status == "retry" and run.attempts == 1 and run.error == "HTTP 500"
    assert run.results[0]["undone"] is True and run.results[1]["ok"] is False
    assert tasks(customer.id) == []  # the task of the failed run is undone
    wait = run.next_attempt_at - utcnow()
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)
    assert retry_due() == "0 of 0 due automation runs done"  # not due yet
    later = utcnow() + timedelta(hours=2)
    for attempt in range(2, MAX_ATTEMPTS + 1):
        retry_due(later + timedelta(hours=attempt))
        [run] = runs()
        assert run.attempts == attempt
    assert run.status == "failed" and len(trellis_webhook_receiver.requests) == MAX_ATTEMPTS
    keys = {r.headers["Trellis-Delivery"] for r in trellis_webhook_receiver.requests}
    assert keys == {f"automation-run-{run.id}"}


def test_a_retry_that_succeeds_ends_done(admin, trellis_webhook_receiver):
    trellis_webhook_receiver.answers = [500]
    rule(
        admin,
        {"kind": "event", "event": "customer_created"},
        [
            TASK,
            {
                "type": "call_webhook",
                "params": {"url": trellis_webhook_receiver.url, "allow_internal": True},
            },
        ],
    )
    customer = create_customer({"name": "Flaky"}, admin).customer
    assert retry_due(utcnow() + timedelta(minutes=2)) == "1 of 1 due automation runs done"
    [run] = runs()
    assert (run.status, run.attempts, run.error) == ("done", 2, None)
    assert len(tasks(customer.id)) == 1


def test_two_rules_that_update_each_others_field_stop_at_the_depth(admin):
    flip = {"kind": "event", "event": "customer_updated"}
    rule(
        admin,
        flip,
        [{"type": "update_field", "params": {"field": "industry", "value": "a"}}],
        name="A",
    )
    rule(
        admin,
        flip,
        [{"type": "update_field", "params": {"field": "industry", "value": "b"}}],
        name="B",
    )
    customer = create_customer({"name": "Loop"}, admin).customer
    update_customer(customer, {"notes": "start"}, admin)
    log = [(r.rule.name, r.depth, r.status, r.error) for r in runs()]
    # each write of a run emits customer_updated: the other rule runs one deeper,
    # the rule itself is skipped on its own change, and past MAX_DEPTH all stop.
    # A and B run in one batch (one commit): A's write stages B's next run, B's
    # (industry "a" → "b") A's; B's next run finds "b" already and changes nothing
    assert MAX_DEPTH == 3
    assert log == [
        ("A", 0, "done", None),
        ("B", 0, "done", None),
        ("A", 1, "skipped", OWN_CHANGE),
        ("B", 1, "done", None),  # found industry already "b": changed nothing
        ("A", 1, "done", None),
        ("B", 1, "skipped", OWN_CHANGE),
        ("A", 2, "skipped", OWN_CHANGE),
        ("B", 2, "done", None),
        ("A", 3, "done", None),
        ("B", 3, "skipped", OWN_CHANGE),
        ("A", 4, "skipped", OWN_CHANGE),
        ("B", 4, "skipped", LOOP),
    ]
    db.session.refresh(customer)
    assert customer.industry == "a"


def test_an_inactive_or_deleted_rule_does_not_run(admin):
    made = rule(admin, {"kind": "event", "event": "customer_created"}, [TASK])
    save_rule({"active": False, "version": made.version}, made, admin)
    create_customer({"name": "Quiet"}, admin)
    assert runs() == []
    assert db.session.get(AutomationRule, made.id).active is False


@pytest.mark.parametrize(
    ("locale", "name", "task"),
    [
        ("en", "New customer → call within a day", "Call the new customer"),
        ("zh_CN", "新客户 → 1 天内电话联系", "电话联系新客户"),
    ],
)
def test_the_demo_rule_gives_a_new_customer_a_call_task(load_demo_as_admin, locale, name, task):
    admin = load_demo_as_admin(locale)
    [demo] = db.session.scalars(select(AutomationRule)).all()
    assert demo.name == name and demo.active
    assert runs() == []  # the demo's own customers did not run it
    customer = create_customer({"name": "Walk-in"}, admin).customer
    assert [t.subject for t in tasks(customer.id)] == [task]


def test_a_rule_switched_off_after_its_run_was_queued_skips_it(admin):
    from core.events import transaction

    made = rule(admin, {"kind": "event", "event": "customer_created"}, [TASK])
    with transaction():
        customer = create_customer({"name": "Late"}, admin).customer
        made.active = False  # in the same transaction: the run is written, then finds it off
    [run] = runs()
    assert (run.status, run.error) == ("skipped", "the rule is switched off")
    assert tasks(customer.id) == []


def test_a_run_whose_worker_died_is_taken_again_after_its_lease(admin):
    made = rule(admin, {"kind": "event", "event": "customer_created"}, [TASK])
    save_rule({"active": False, "version": made.version}, made, admin)
    customer = create_customer({"name": "Orphan"}, admin).customer
    save_rule({"active": True, "version": made.version}, made, admin)
    db.session.add(
        AutomationRun(
            rule_id=made.id,
            event="customer_created",
            record_type="customer",
            record_id=customer.id,
            status="running",  # claimed by a worker that died
            attempts=1,
            next_attempt_at=utcnow() + timedelta(minutes=5),
            results=[],
        )
    )
    db.session.commit()
    assert retry_due() == "0 of 0 due automation runs done"  # its lease holds
    assert retry_due(utcnow() + timedelta(minutes=6)) == "1 of 1 due automation runs done"
    [run] = runs()
    assert (run.status, run.attempts) == ("done", 2)
    assert len(tasks(customer.id)) == 1


def test_a_new_lead_from_the_web_is_assigned_round_robin_and_gets_a_call_task(admin, make_user):
    """The issue's rule: new lead from the web → round robin in Sales East →
    task: call within 1 hour — on a plugin's event and record."""
    from plugins.sales.models import Lead
    from plugins.sales.services.leads import create_lead

    east = create_team("Sales East", admin)
    first = make_user(name="First", team_id=east.id)
    second = make_user(name="Second", team_id=east.id)
    rule(
        admin,
        {"kind": "event", "event": "sales_lead_created"},
        [
            {"type": "assign_owner", "params": {"team_id": east.id}},
            {"type": "create_task", "params": {"title": "Call the lead", "due_in_hours": 1}},
        ],
        conditions=[{"field": "source", "op": "eq", "value": "website"}],
    )
    leads = [create_lead({"name": n, "source": "website"}, None) for n in ("Ann", "Bob")]
    other = create_lead({"name": "Cid", "source": "other"}, None)
    db.session.expire_all()
    owners = [db.session.get(Lead, lead.id).owner_id for lead in leads]
    assert owners == [first.id, second.id]
    assert db.session.get(Lead, leads[0].id).team_id == east.id
    assert db.session.get(Lead, other.id).owner_id is None
    made = db.session.scalars(
        select(Activity).where(Activity.kind == "task", Activity.link_type == "sales_lead")
    ).all()
    assert sorted((t.link_id, t.owner_id, t.subject) for t in made) == [
        (leads[0].id, first.id, "Call the lead"),
        (leads[1].id, second.id, "Call the lead"),
    ]
    assert all(timedelta(minutes=55) < t.due_at - utcnow() <= timedelta(hours=1) for t in made)
