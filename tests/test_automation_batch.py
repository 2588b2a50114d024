"""Automation runs cheaply: a run whose conditions do not hold on the
record as it is staged is logged finished in the triggering transaction
and queues no job; the runs that hold are checked again when they run; a
job's runs run as one batch, each in a savepoint, so an action that fails
undoes its own run's writes and no other's."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from core.api import ActionParam, AutomationAction, db
from core.automation import save_rule
from core.automation.runs import run_batch
from core.events import transaction
from core.models import Activity, AutomationRun, SiteSetting
from core.services.customers import create_customer
from core.testing import plugin_module

TASK = {"type": "create_task", "params": {"title": "Call", "due_in_days": 1}}
WEB_A = [
    {"field": "grade", "op": "eq", "value": "A"},
    {"field": "source", "op": "eq", "value": "web"},
]


class Break(AutomationAction):
    """The probe's action: writes a setting, then fails — by raising, or
    (``how=duplicate``) by a second row the database refuses."""

    code = "probe.break"
    label = "Break"
    params = (ActionParam("how", "How", required=False),)

    def run(self, params, record, context):
        db.session.add(SiteSetting(key=f"broken-{context.run.id}", value="x"))
        db.session.flush()
        if params.get("how") == "duplicate":
            db.session.add(SiteSetting(key=f"broken-{context.run.id}", value="again"))
            db.session.flush()
        raise RuntimeError("the probe breaks")


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.com", name="Ada Admin")


@pytest.fixture
def probe(register_plugin):
    register_plugin(plugin_module("probe", trellis_automation_actions=lambda: [Break()]))


def rule(admin, actions, conditions=None, name="Rule"):
    trigger = {"kind": "event", "event": "customer_created"}
    spec = {"name": name, "trigger": trigger, "conditions": conditions or [], "actions": actions}
    return save_rule(spec, None, admin)


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


def jobs_run(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "job core.run_automation" in r.getMessage()]


def test_a_run_whose_conditions_do_not_hold_is_logged_at_staging_and_queues_no_job(admin, caplog):
    rule(admin, [TASK], WEB_A)
    caplog.set_level(logging.INFO, logger="core.jobs")
    missed = create_customer({"name": "B grade", "grade": "B", "source": "web"}, admin).customer
    [run] = runs()
    assert (run.status, run.matched, run.results, run.error) == ("done", False, [], None)
    assert run.attempts == 0 and run.finished_at is not None  # never claimed by a worker
    assert (run.record_type, run.record_id) == ("customer", missed.id)
    assert jobs_run(caplog) == [] and tasks(missed.id) == []
    hit = create_customer({"name": "A grade", "grade": "A", "source": "web"}, admin).customer
    assert len(jobs_run(caplog)) == 1 and len(tasks(hit.id)) == 1
    assert (runs()[1].status, runs()[1].matched, runs()[1].attempts) == ("done", True, 1)


def test_a_run_that_held_at_staging_is_checked_again_when_it_runs(admin):
    rule(admin, [TASK], WEB_A)
    with transaction():
        customer = create_customer({"name": "Soon B", "grade": "A", "source": "web"}, admin)
        [staged] = runs()
        assert staged.status == "queued"  # held on the values it was staged with
        customer.customer.grade = "B"  # changed before the commit: no longer holds
    [run] = runs()
    assert (run.status, run.matched, run.attempts) == ("done", False, 1)
    assert tasks(customer.customer.id) == []


@pytest.mark.parametrize("how", ["raise", "duplicate"])
def test_a_failing_action_undoes_its_own_run_and_no_other_in_the_batch(admin, probe, how, caplog):
    first = rule(admin, [TASK], name="First")
    rule(admin, [TASK, {"type": "probe.break", "params": {"how": how}}], name="Broken")
    last = rule(admin, [TASK], name="Last")
    caplog.set_level(logging.INFO, logger="core.jobs")
    customer = create_customer({"name": "Batch"}, admin).customer
    assert jobs_run(caplog) == ["job core.run_automation done: 2 of 3 automation runs done"]
    done, broken, after = runs()
    assert [(r.rule_id, r.status, r.attempts) for r in (done, after)] == [
        (first.id, "done", 1),
        (last.id, "done", 1),
    ]
    assert (broken.status, broken.attempts, broken.matched) == ("retry", 1, True)
    assert broken.next_attempt_at > broken.finished_at  # backed off
    assert broken.results[0]["ok"] is True and broken.results[0]["undone"] is True
    assert broken.results[1]["ok"] is False
    if how == "raise":
        assert broken.error == "the probe breaks"
    else:
        assert broken.error  # the database's refusal, in the database's words
    # the two runs that worked keep their tasks; the broken run's task and row are gone
    assert len(tasks(customer.id)) == 2
    broken_rows = select(func.count()).where(SiteSetting.key.like("broken-%"))
    assert db.session.scalar(broken_rows) == 0


def test_a_batch_claims_only_the_runs_still_waiting(admin):
    rule(admin, [TASK])
    create_customer({"name": "Once"}, admin)
    [run] = runs()
    assert run.status == "done"
    assert run_batch([run.id, run.id]) == []  # done already: nothing to claim
    assert runs()[0].attempts == 1


def statements_to_create(admin, name: str) -> int:
    """What creating a customer sends the database, less the runs' INSERTs."""
    from sqlalchemy import event

    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        create_customer({"name": name, "grade": "B", "source": "web"}, admin)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len([s for s in seen if not s.startswith("INSERT INTO automation_run")])


def test_checking_conditions_at_staging_reads_nothing_per_rule(admin):
    rule(admin, [TASK], WEB_A, name="One")
    one = statements_to_create(admin, "With one rule")
    for i in range(9):
        rule(admin, [TASK], [{"field": "city", "op": "empty"}, *WEB_A], name=f"R{i}")
    ten = statements_to_create(admin, "With ten rules")
    assert [r.status for r in runs()] == ["done"] * 11  # none held: none queued
    assert ten == one  # beside the runs' rows, nothing more is read or written
