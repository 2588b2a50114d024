"""Callbacks (回访): the ``insurance_callback`` rule gives the agent a task on
each issued term of a product that requires one, due ``days_after_issue``
after the issue and before the cooling-off ends; recording the outcome sets
the policy's callback, logs it, completes the task (the rule then makes no
other); the outcome is one of the list; ``wants_cancel`` offers the
cooling-off cancellation on the policy's panel."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import select

from core.api import Activity, ValidationError, create_followup_plan, db, instance_timezone
from plugins.insurance.models import Policy
from plugins.insurance.services.policies.callbacks import due_on
from plugins.insurance.services.terms import today
from plugins.insurance.views.renewals import renewal_panel

from .test_renewals_fixtures import book, issued  # noqa: F401

API = "/api/v1/insurance"


def _needing_callback(book, number="P-CALL", product="Called life", **fields):  # noqa: F811
    return issued(
        book.harbour,
        book.ann,
        number,
        today(),
        product=product,
        line="life",
        cooling_off_ends_on=today() + timedelta(15),
        product_fields={"callback_required": True, "cooling_off_days": 15},
        **fields,
    )


def _tasks(policy) -> list[Activity]:
    return list(
        db.session.scalars(
            select(Activity).where(
                Activity.link_type == "insurance_policy",
                Activity.link_id == policy.id,
                Activity.plan_id.is_not(None),
            )
        )
    )


def test_the_due_day_is_before_the_cooling_off_ends():
    day = date(2026, 3, 1)
    assert due_on(day, day + timedelta(15), 3) == day + timedelta(3)
    assert due_on(day, day + timedelta(2), 3) == day + timedelta(1)
    assert due_on(day, None, 5) == day + timedelta(5)
    assert due_on(day, day, 3) == day  # never before the issue


def test_a_callback_task_comes_and_the_callback_completes_it(as_user, book, run_due):  # noqa: F811
    policy = _needing_callback(book)
    quiet = issued(book.harbour, book.ann, "P-QUIET", today(), product="Quiet motor")
    create_followup_plan(
        {"name": "回访", "rule": "insurance_callback", "params": {"days_after_issue": 3}}, None
    )
    assert run_due().created == 1
    assert run_due().created == 0
    (task,) = _tasks(policy)
    assert _tasks(quiet) == []
    zone = ZoneInfo(instance_timezone())
    expected = datetime.combine(today() + timedelta(3), time(9), zone).astimezone(UTC)
    assert task.due_at.astimezone(UTC) == expected
    assert (task.owner_id, task.done_at) == (book.ann.id, None) and "P-CALL" in task.subject
    api = as_user(book.ann)
    refused = api.post(f"{API}/policies/{policy.id}/callback", json={"outcome": "maybe"})
    assert refused.status_code == 422 and "outcome" in refused.json["errors"]
    answer = api.post(
        f"{API}/policies/{policy.id}/callback",
        json={"outcome": "confirmed", "note": "Understood the cover", "version": policy.version},
    )
    assert answer.status_code == 200, answer.json
    db.session.expire_all()
    policy = db.session.get(Policy, policy.id)
    assert policy.callback_outcome == "confirmed" and policy.callback_done_at is not None
    (task,) = _tasks(policy)
    assert task.done_at is not None
    logged = db.session.scalar(
        select(Activity).where(
            Activity.kind == "policy",
            Activity.link_id == policy.id,
            Activity.body == "Understood the cover",
        )
    )
    assert logged is not None
    assert run_due().created == 0  # done: no new task


def test_another_agents_policy_and_a_quote_take_no_callback(as_user, book):  # noqa: F811
    theirs = issued(book.elsewhere, book.bob, "P-BOB-CALL", today(), product="Called life")
    answer = as_user(book.ann).post(
        f"{API}/policies/{theirs.id}/callback", json={"outcome": "confirmed"}
    )
    assert answer.status_code == 404
    theirs.issued_on = None
    db.session.commit()
    from plugins.insurance.services.policies.callbacks import record_callback

    with pytest.raises(ValidationError) as refused:
        record_callback(theirs, book.bob, "confirmed")
    assert "policy_id" in refused.value.errors


def test_wanting_to_cancel_offers_the_cooling_off_cancel(app, book):  # noqa: F811
    policy = _needing_callback(book, "P-REGRET")
    from plugins.insurance.services.policies.callbacks import record_callback

    record_callback(policy, book.ann, "wants_cancel", "Found it too dear")
    with app.test_request_context(f"/insurance/policies/{policy.id}"):
        login_user(book.ann)
        panel = renewal_panel(policy, book.ann)
        assert panel["callback"]["offers_cancel"] and panel["cancel"]["cooling_off"]
        html = render_template("insurance/renewals/_panel.html", renewal=panel)
    assert '<details id="cancel" open>' in html
    assert "The policyholder wants to cancel" in html
    assert 'name="outcome"' not in html  # recorded: no second form
