"""Contact attempts on a follow-up step: each on the patient's timeline
through core's record_attempt; answers on a reached one; a red flag gives
the visit's doctor a task due today; N failed attempts lose the patient to
follow-up (失访); the completion and lost figures against hand-computed ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.api import Activity, StateError, ValidationError, db
from plugins.his.models import FollowupAnswer, Patient
from plugins.his.services import followup

from .followup_fixtures import care, clinic, closed_visit, task, template  # noqa: F401


def _plan(care, days_ago=0, **fields):
    template(care, **fields)
    (plan,) = followup.plan_after_visit(closed_visit(care, care.patient(), days_ago=days_ago))
    return plan


def _activities() -> int:
    return db.session.scalar(select(func.count()).select_from(Activity)) or 0


def test_a_reached_call_records_answers_and_a_red_flag_gives_the_doctor_a_task(care):
    plan = _plan(care, days_ago=1)
    done = followup.attempt(
        plan,
        {"outcome": "reached", "note": "feels warm", "answers": {"fever": "yes", "pain": 3}},
        care.nurse,
    )
    step = plan.steps[0]
    assert (step.status, step.attempts, step.red_flag) == ("done", 1, True)
    entry = done.attempt
    assert (entry.kind, entry.outcome, entry.customer_id) == ("call", "reached", plan.customer_id)
    assert entry.task_id == step.task_id and task(step).done_at is not None
    answers = db.session.scalars(select(FollowupAnswer).order_by(FollowupAnswer.key)).all()
    assert [(a.key, a.value, a.red_flag) for a in answers] == [
        ("fever", "yes", True),
        ("pain", "3", False),
    ]
    doctor_task = done.doctor_task
    assert doctor_task.owner_id == care.li.id and doctor_task.done_at is None
    assert doctor_task.due_at.date() <= care.today + timedelta(days=1)
    assert "Any fever?" in doctor_task.subject and doctor_task.customer_id == plan.customer_id
    assert plan.status == "active"  # two steps to go


def test_a_scale_at_its_red_flag_raises_it_and_below_does_not(care):
    plan = _plan(care)
    calm = followup.attempt(plan, {"outcome": "reached", "answers": {"pain": 7}}, care.nurse)
    assert calm.doctor_task is None and not calm.step.red_flag
    alarmed = followup.attempt(plan, {"outcome": "reached", "answers": {"pain": "8"}}, care.nurse)
    assert alarmed.doctor_task is not None and alarmed.step.red_flag


def test_after_n_failed_attempts_the_step_and_the_plan_are_lost(care):
    plan = _plan(care, days_ago=1, attempts_before_lost=3)
    followup.attempt(plan, {"outcome": "not_reached"}, care.nurse)
    followup.attempt(plan, {"outcome": "refused"}, care.nurse)
    step = plan.steps[0]
    assert (step.status, step.failed_attempts, plan.status) == ("due", 2, "active")
    assert task(step).done_at is None
    followup.attempt(plan, {"outcome": "not_reached"}, care.nurse)
    assert (step.status, plan.status) == ("lost", "lost")
    assert [s.status for s in plan.steps] == ["lost", "stopped", "stopped"]
    assert task(step).outcome == "lost" and task(step).done_at is not None
    attempts = db.session.scalars(
        select(Activity.outcome).where(Activity.task_id == step.task_id).order_by(Activity.id)
    ).all()
    assert attempts == ["not_reached", "refused", "not_reached"]
    with pytest.raises(StateError) as ended:
        followup.attempt(plan, {"outcome": "reached"}, care.nurse)
    assert "status" in ended.value.errors


def test_a_plan_whose_steps_are_all_reached_is_completed(care):
    plan = _plan(care, offsets=[1, 2])
    for _ in range(2):
        followup.attempt(plan, {"outcome": "reached"}, care.nurse)
    assert plan.status == "completed" and plan.ended_at is not None


def test_a_chronic_plan_gets_its_next_step_when_one_is_done(care):
    template(
        care, name="Diabetes", chronic=True, offsets=[], repeat_months=3, diagnosis_prefix="E11"
    )
    (plan,) = followup.plan_after_visit(closed_visit(care, care.patient(), codes=("E11.9",)))
    first = plan.steps[0]
    followup.attempt(plan, {"outcome": "reached"}, care.nurse)
    db.session.refresh(plan)
    assert [s.status for s in plan.steps] == ["done", "due"]
    assert plan.steps[1].due_on == followup.add_months(first.due_on, 3)
    assert plan.status == "active"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({}, "outcome"),
        ({"outcome": "not_reached", "answers": {"fever": "yes"}}, "answers"),
        ({"outcome": "reached", "answers": {"pain": 11}}, "answers"),
        ({"outcome": "reached", "answers": {"fever": "perhaps"}}, "answers"),
        ({"outcome": "reached", "answers": {"mood": "good"}}, "answers"),
        ({"outcome": "reached", "step_id": 999999}, "step_id"),
    ],
)
def test_a_bad_attempt_is_refused_naming_the_field_with_nothing_written(care, payload, field):
    plan = _plan(care)
    before = _activities()
    with pytest.raises(ValidationError) as refused:
        followup.attempt(plan, payload, care.nurse)
    assert field in refused.value.errors
    assert _activities() == before and plan.steps[0].attempts == 0


def test_no_attempt_on_a_deceased_patient(care):
    plan = _plan(care)
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == plan.customer_id))
    patient.deceased = True
    db.session.commit()
    with pytest.raises(StateError) as refused:
        followup.attempt(plan, {"outcome": "reached"}, care.nurse)
    assert "customer_id" in refused.value.errors


def test_an_attempt_before_the_due_job_makes_the_engines_task_once(care, run_due):
    plan = _plan(care, days_ago=1)
    followup.attempt(plan, {"outcome": "not_reached"}, care.nurse)
    step = plan.steps[0]
    assert task(step).dedupe_key == f"step:{step.id}"
    assert run_due().created == 0
    engine_tasks = (
        select(func.count())
        .select_from(Activity)
        .where(Activity.link_type == "his_followup_step", Activity.plan_id.is_not(None))
    )
    assert db.session.scalar(engine_tasks) == 1


def _call(plan, outcomes):
    for outcome in outcomes:
        followup.attempt(plan, {"outcome": outcome}, None)


def test_completion_and_lost_figures_match_the_hand_count(care):
    """Cardiology: A reached at every step (3 done); B reached once, then
    lost at step 2 (its step 3 stopped: not counted). Dermatology (the
    general template): C reached at step 1, step 2 open, step 3 in 20 days
    (outside the period). Due 7, completed 5, lost 1, open 1."""
    template(care)
    template(care, name="General", department_id=None, attempts_before_lost=2)
    (a,) = followup.plan_after_visit(closed_visit(care, care.patient("A"), days_ago=40))
    (b,) = followup.plan_after_visit(closed_visit(care, care.patient("B"), days_ago=40))
    (c,) = followup.plan_after_visit(
        closed_visit(
            care, care.patient("C"), department=care.dermatology, doctor=care.zhou, days_ago=10
        )
    )
    _call(a, ["reached", "not_reached", "reached", "reached"])
    _call(b, ["reached", "not_reached", "refused", "not_reached"])
    _call(c, ["reached"])
    assert (a.status, b.status, c.status) == ("completed", "lost", "active")
    period = (care.today - timedelta(days=60), care.today)
    figures = followup.followup_figures(period)
    assert (figures.due, figures.completed, figures.lost, figures.open) == (7, 5, 1, 1)
    assert figures.completion_rate == pytest.approx(5 / 7)
    assert figures.lost_rate == pytest.approx(1 / 7)
    cardiology = followup.followup_figures(period, department=care.cardiology.id)
    assert (cardiology.due, cardiology.completed, cardiology.lost, cardiology.open) == (5, 4, 1, 0)
    dermatology = followup.followup_figures(period, department=care.dermatology.id)
    assert (dermatology.due, dermatology.completed, dermatology.open) == (2, 1, 1)
    seen_by_zhou = followup.followup_figures(period, user=care.zhou)
    assert (seen_by_zhou.due, seen_by_zhou.completed) == (2, 1)
    empty = followup.followup_figures((care.today + timedelta(days=100),) * 2)
    assert empty.due == 0 and empty.completion_rate is None
