"""Revisits (回访): the follow-up rule makes a task per finished order and
skips revisited ones; a revisit is validated (score 1–5, a finished order,
once), completes its task, and a low score reopens or escalates the order
as the plan says, while a good one closes it — all or nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.api import Activity, ConflictError, ValidationError, create_followup_plan, db, utcnow
from core.testing import plugin_module
from plugins.service_dispatch.models import Revisit, WorkOrderEvent
from plugins.service_dispatch.services.revisits import record_revisit, revisit_params

from .conftest import reload


@pytest.fixture
def finished(make_order, make_engineer):
    """``finished(status="completed", days_ago=3)``: an order completed that long ago."""

    def factory(status="completed", days_ago=3, **fields):
        order = make_order(status, make_engineer(), **fields)
        order.completed_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()
        return order

    return factory


def plan(**params):
    return create_followup_plan(
        {"name": "Revisit", "rule": "service_revisit", "params": {"after_days": 2, **params}}, None
    )


def revisits() -> int:
    return db.session.scalar(select(func.count()).select_from(Revisit))


def tasks_of(order) -> list[Activity]:
    return db.session.scalars(
        select(Activity).where(Activity.link_id == order.id, Activity.due_at.is_not(None))
    ).all()


def test_the_rule_checks_its_params_and_fills_in_defaults(app):
    assert revisit_params({"after_days": 3}) == {
        "after_days": 3,
        "low_score": 2,
        "on_low_score": "reopen",
    }
    for bad, name in [
        ({"after_days": 1, "low_score": 5}, "low_score"),
        ({"after_days": 1, "low_score": "2"}, "low_score"),
        ({"after_days": 1, "on_low_score": "shout"}, "on_low_score"),
    ]:
        with pytest.raises(ValueError, match=name):
            revisit_params(bad)
    with pytest.raises(ValidationError) as refused:
        plan(low_score=0)
    assert "params" in refused.value.errors


def test_the_rule_makes_one_task_per_finished_order_and_skips_revisited_ones(
    finished, make_order, make_customer, run_due, make_user
):
    owner = make_user(role="manager")
    due = finished(customer=make_customer(owner_id=owner.id))
    closed = finished("closed", days_ago=5)
    revisited = finished(days_ago=4)
    too_recent = finished(days_ago=1)
    still_open = make_order("on_site")
    record_revisit(revisited, 5, None, None)
    plan()
    report = run_due()
    assert report.created == 2
    assert [t.owner_id for t in tasks_of(due)] == [owner.id]
    assert tasks_of(due)[0].subject == f"Revisit: {due.number}"
    assert len(tasks_of(closed)) == 1 and tasks_of(closed)[0].owner_id == closed.engineer_id
    for order in (revisited, too_recent, still_open):
        assert tasks_of(order) == []
    assert run_due().created == 0


@pytest.mark.parametrize("score", [0, 6, "x", None, True, 2.5])
def test_a_score_outside_1_to_5_is_refused_naming_score(score, finished):
    order = finished()
    with pytest.raises(ValidationError) as refused:
        record_revisit(order, score, "fine", None)
    assert list(refused.value.errors) == ["score"]
    assert revisits() == 0 and reload(order).status == "completed"


def test_an_unfinished_order_cannot_be_revisited_and_nothing_is_stored(make_order):
    order = make_order("on_site")
    with pytest.raises(ConflictError, match="completed or closed"):
        record_revisit(order, 4, None, None)
    assert revisits() == 0


def test_an_order_is_revisited_once(finished):
    order = finished("closed")
    record_revisit(order, 4, "ok", None)
    with pytest.raises(ConflictError, match="already been revisited"):
        record_revisit(reload(order), 5, "better", None)
    assert db.session.scalars(select(Revisit.comment)).all() == ["ok"]


def test_a_good_score_completes_the_task_closes_the_order_and_goes_on_the_timeline(
    finished, run_due, make_user
):
    agent = make_user(role="manager")
    order = finished()
    plan()
    run_due()
    revisit = record_revisit(order, 4, "  Quick and tidy ", agent, order.version)
    order = reload(order)
    assert (revisit.score, revisit.comment, revisit.outcome, revisit.user_id) == (
        4,
        "Quick and tidy",
        "none",
        agent.id,
    )
    assert order.status == "closed" and order.closed_at is not None
    assert [t.done_at is not None for t in tasks_of(order)] == [True]
    notes = db.session.scalars(
        select(Activity.subject).where(Activity.link_id == order.id, Activity.kind == "work_order")
    ).all()
    assert f"{order.number}: revisit, score 4 of 5" in notes


def test_a_low_score_reopens_the_order_with_the_reason_in_its_history(finished, run_due):
    order = finished("closed")
    plan()
    run_due()
    revisit = record_revisit(order, 2, "Still noisy", None)
    order = reload(order)
    assert revisit.outcome == "reopened" and order.status == "reopened"
    event = db.session.scalars(
        select(WorkOrderEvent).where(
            WorkOrderEvent.work_order_id == order.id, WorkOrderEvent.action == "reopen"
        )
    ).one()
    assert (event.from_status, event.to_status) == ("closed", "reopened")
    assert event.note == "Low revisit score: 2 of 5\nStill noisy"
    assert all(t.done_at for t in tasks_of(order))


def test_a_low_score_escalates_when_the_plan_says_so(register_plugin, finished):
    heard = []
    register_plugin(
        plugin_module(
            "complaints",
            trellis_service_dispatch_revisit_low_score=lambda order, revisit: heard.append(
                (order.number, revisit.score)
            ),
        )
    )
    order = finished(priority="normal")
    plan(on_low_score="escalate", low_score=3)
    revisit = record_revisit(order, 3, "Rude engineer", None)
    order = reload(order)
    assert revisit.outcome == "escalated"
    assert (order.status, order.priority) == ("completed", "urgent")
    assert order.escalated_at is not None
    assert heard == [(order.number, 3)]


def test_a_stale_version_or_a_failing_reopen_stores_nothing(finished, monkeypatch):
    from plugins.service_dispatch.services import lifecycle

    order = finished()
    with pytest.raises(Exception, match="changed by someone else"):
        record_revisit(order, 1, None, None, order.version - 1)

    def refuse(*args, **kwargs):
        raise ValidationError({"reason": ["refused"]})

    monkeypatch.setattr(lifecycle, "transition", refuse)
    with pytest.raises(ValidationError):
        record_revisit(reload(order), 1, "bad", None)
    assert revisits() == 0 and reload(order).status == "completed"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Activity)
            .where(Activity.link_id == order.id, Activity.subject.contains("revisit"))
        )
        == 0
    )


def test_the_api_records_and_shows_a_revisit(finished, dispatcher, make_engineer, as_user):
    order = finished()
    api = as_user(dispatcher)
    assert api.get(f"/api/v1/service/work-orders/{order.id}/revisit").status_code == 404
    bad = api.post(f"/api/v1/service/work-orders/{order.id}/revisit", json={"score": 9})
    assert bad.status_code == 422 and "score" in bad.json["errors"]
    made = api.post(
        f"/api/v1/service/work-orders/{order.id}/revisit",
        json={"score": 5, "comment": "Great", "version": order.version},
    )
    assert made.status_code == 201, made.json
    assert (made.json["score"], made.json["outcome"]) == (5, "none")
    again = api.post(f"/api/v1/service/work-orders/{order.id}/revisit", json={"score": 5})
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    shown = api.get(f"/api/v1/service/work-orders/{order.id}/revisit")
    assert shown.status_code == 200 and shown.json["comment"] == "Great"
    engineer = as_user(make_engineer())
    assert engineer.get(f"/api/v1/service/work-orders/{order.id}/revisit").status_code == 404
    assert (
        engineer.post(
            f"/api/v1/service/work-orders/{order.id}/revisit", json={"score": 1}
        ).status_code
        == 403
    )


def test_the_order_page_takes_a_revisit_and_then_shows_it(finished, dispatcher, login_as):
    import re

    order = finished()
    client = login_as(dispatcher)
    page = client.get(f"/service/work-orders/{order.id}")
    assert page.status_code == 200 and 'name="score"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": token, "version": order.version, "comment": "Noisy"}
    missing = client.post(f"/service/work-orders/{order.id}/revisit", data=form)
    assert missing.status_code == 422 and revisits() == 0
    for junk in ("²", "9" * 5000):
        refused = client.post(
            f"/service/work-orders/{order.id}/revisit", data={**form, "score": junk}
        )
        assert refused.status_code == 422 and revisits() == 0
    done = client.post(
        f"/service/work-orders/{order.id}/revisit",
        data={**form, "score": "1"},
        follow_redirects=True,
    )
    assert done.status_code == 200 and reload(order).status == "reopened"
    assert "1 of 5" in done.text and 'name="score"' not in done.text


def test_purging_a_customer_takes_its_revisits_and_unlinks_repeats(
    finished, make_order, make_customer, make_user, as_user
):
    """A purged customer's orders go with their revisits; another customer's
    order that repeats one of them (same serial number) stays, unlinked."""
    gone = make_customer()
    order = finished(customer=gone, serial_number="SN-PURGE-1")
    record_revisit(order, 5, "good", None)
    repeat = make_order(customer=make_customer(), serial_number="SN-PURGE-1")
    assert reload(repeat).repeat_of_id == order.id
    api = as_user(make_user(role="admin"))
    assert api.delete(f"/api/v1/customers/{gone.id}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{gone.id}").status_code == 204
    assert revisits() == 0
    assert reload(repeat).repeat_of_id is None
