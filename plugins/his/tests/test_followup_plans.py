"""Follow-up plans (随访): which templates a closed visit starts, the dated
steps, core's engine making each due step's task once, the deceased never
followed, stopping a plan — each refusal naming its field, nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.api import Activity, FollowUpPlan, StateError, ValidationError, db
from plugins.his.models import FollowupPlan, FollowupStep, Patient
from plugins.his.services import followup

from .followup_fixtures import care, clinic, closed_visit, template  # noqa: F401


def _plans() -> int:
    return db.session.scalar(select(func.count()).select_from(FollowupPlan)) or 0


def _q(**fields) -> dict:
    return {"key": "a", "text": "A?", "kind": "yes_no", **fields}


def _deceased(customer) -> None:
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == customer.id))
    patient.deceased = True
    db.session.commit()


def test_a_template_gets_a_core_plan_of_the_his_followup_rule(care):
    made = template(care)
    core_plan = db.session.get(FollowUpPlan, made.plan_id)
    assert (core_plan.rule, core_plan.params) == ("his_followup", {"template_id": made.id})
    assert core_plan.team_id == care.cardiology.team_id and core_plan.active
    followup.update_template(made, {"active": False}, care.admin)
    assert not db.session.get(FollowUpPlan, made.plan_id).active


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"offsets": []}, "offsets"),
        ({"offsets": [7, 1]}, "offsets"),
        ({"chronic": True, "offsets": [], "diagnosis_prefix": "E11"}, "repeat_months"),
        ({"chronic": True, "offsets": [], "repeat_months": 3}, "diagnosis_prefix"),
        ({"repeat_months": 3}, "repeat_months"),
        ({"diagnosis_prefix": "1-2"}, "diagnosis_prefix"),
        ({"channel": "fax"}, "channel"),
        (
            {"questions": [{"key": "a", "text": "A?", "kind": "choice", "choices": ["x"]}]},
            "questions",
        ),
        (
            {
                "questions": [
                    {"key": "a", "text": "A?", "kind": "scale", "red_flag": {"equals": "x"}}
                ]
            },
            "questions",
        ),
    ],
)
def test_a_bad_template_is_refused_naming_the_field(care, fields, field):
    before = db.session.scalar(select(func.count()).select_from(FollowUpPlan))
    with pytest.raises(ValidationError) as refused:
        template(care, **fields)
    assert field in refused.value.errors
    assert db.session.scalar(select(func.count()).select_from(FollowUpPlan)) == before


def test_a_closed_visit_starts_the_closest_template_and_the_chronic_ones(care):
    general = template(care, name="Any visit", department_id=None)
    cardio = template(care, name="Cardiology")
    hypertension = template(care, name="Hypertension", diagnosis_prefix="I1")
    template(
        care,
        name="Essential hypertension elsewhere",
        department_id=care.dermatology.id,
        diagnosis_prefix="I10",
    )
    diabetes = template(
        care,
        name="Diabetes",
        chronic=True,
        offsets=[],
        repeat_months=3,
        diagnosis_prefix="E11",
        department_id=None,
    )
    template(care, name="Asthma", chronic=True, offsets=[], repeat_months=6, diagnosis_prefix="J45")
    patient = care.patient("Zhao Lei", chronic_conditions=["E11.9"])
    visit = closed_visit(care, patient, codes=("I10", "R51"))
    plans = followup.plan_after_visit(visit)
    assert sorted(p.template_id for p in plans) == sorted([hypertension.id, diabetes.id])
    assert general.id and cardio.id  # matched, but a closer one won
    assert followup.plan_after_visit(visit) == []  # never twice
    other = closed_visit(care, care.patient("Qian Yu"), codes=("K29",))
    assert [p.template_id for p in followup.plan_after_visit(other)] == [cardio.id]


def test_steps_are_dated_from_the_visit_and_chronic_ones_every_n_months(care):
    template(care)
    template(
        care, name="Diabetes", chronic=True, offsets=[], repeat_months=3, diagnosis_prefix="E11"
    )
    visit = closed_visit(care, care.patient(), codes=("E11.9",))
    ordinary, chronic = sorted(followup.plan_after_visit(visit), key=lambda p: p.template_id)
    day = care.today
    assert [s.due_on for s in ordinary.steps] == [day + timedelta(days=n) for n in (1, 7, 30)]
    assert [s.due_on for s in chronic.steps] == [followup.add_months(day, 3)]
    assert (ordinary.owner_id, ordinary.team_id) == (care.li.id, care.cardiology.team_id)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    from datetime import date

    assert followup.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert followup.add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)


def test_the_engine_makes_a_task_for_each_due_step_once(care, run_due):
    template(care)
    patient = care.patient()
    visit = closed_visit(care, patient, days_ago=8)  # steps of day 1 and 7 are due
    (plan,) = followup.plan_after_visit(visit)
    assert run_due().created == 2
    assert run_due().created == 0
    tasks = db.session.scalars(
        select(Activity).where(Activity.link_type == "his_followup_step").order_by(Activity.id)
    ).all()
    assert [(t.link_id, t.owner_id, t.customer_id) for t in tasks] == [
        (s.id, care.li.id, patient.id) for s in plan.steps[:2]
    ]
    assert all(t.plan_id == plan.template.plan_id for t in tasks)


def test_a_deceased_patient_gets_no_plan_and_their_plans_stop(care, run_due):
    made = template(care)
    patient = care.patient()
    visit = closed_visit(care, patient, days_ago=2)
    (plan,) = followup.plan_after_visit(visit)
    run_due()
    _deceased(patient)
    later = closed_visit(care, patient)
    assert followup.plan_after_visit(later) == []
    with pytest.raises(StateError) as refused:
        followup.start_plan({"visit_id": later.id, "template_id": made.id}, care.li)
    assert "visit_id" in refused.value.errors
    assert _plans() == 1
    assert followup.stop_plans_of_deceased() == 1
    db.session.refresh(plan)
    assert plan.status == "stopped" and plan.stop_reason == followup.DECEASED
    assert {s.status for s in plan.steps} == {"stopped"}
    open_tasks = (
        select(func.count())
        .select_from(Activity)
        .where(Activity.link_type == "his_followup_step", Activity.done_at.is_(None))
    )
    assert db.session.scalar(open_tasks) == 0
    assert followup.stop_plans_of_deceased() == 0


def test_the_engine_makes_no_task_for_a_deceased_patient(care, run_due):
    template(care)
    patient = care.patient()
    followup.plan_after_visit(closed_visit(care, patient, days_ago=3))
    _deceased(patient)
    assert run_due().created == 0


def test_a_plan_by_hand_needs_an_active_template_and_not_twice(care):
    made = template(care)
    visit = closed_visit(care, care.patient())
    plan = followup.start_plan({"visit_id": visit.id, "template_id": made.id}, care.li, care.li)
    assert plan.status == "active" and len(plan.steps) == 3
    with pytest.raises(Exception) as twice:
        followup.start_plan({"visit_id": visit.id, "template_id": made.id}, care.li)
    assert "template_id" in twice.value.errors
    with pytest.raises(Exception) as hidden:
        followup.start_plan({"visit_id": visit.id, "template_id": made.id}, care.zhou, care.zhou)
    assert "visit_id" in hidden.value.errors
    assert _plans() == 1


def test_stopping_a_plan_stops_its_steps_and_a_second_stop_is_refused(care):
    template(care)
    (plan,) = followup.plan_after_visit(closed_visit(care, care.patient()))
    followup.stop_plan(plan, {"reason": "moved away"}, care.li)
    assert plan.status == "stopped" and plan.ended_at is not None
    assert {s.status for s in plan.steps} == {"stopped"}
    with pytest.raises(StateError) as again:
        followup.stop_plan(plan, {"reason": "again"}, care.li)
    assert "status" in again.value.errors
    with pytest.raises(ValidationError):
        followup.stop_plan(plan, {}, care.li)
    steps = db.session.scalars(select(FollowupStep.status)).all()
    assert steps == ["stopped"] * 3


def test_closing_a_visit_starts_its_follow_up_through_the_event(care):
    from plugins.his.services import visits

    from .visit_fixtures import started

    made = template(care, diagnosis_prefix="I10")
    visit = started(care)
    visits.add_diagnosis(visit, {"code": "I10"}, care.li)
    assert _plans() == 0
    visits.close_visit(visit, care.li)
    plan = db.session.scalar(select(FollowupPlan))
    assert (plan.visit_id, plan.template_id, plan.owner_id) == (visit.id, made.id, care.li.id)
    assert plan.team_id == care.cardiology.team_id and len(plan.steps) == 3


def test_recording_a_death_stops_the_plans_at_once(care):
    template(care)
    patient = care.patient()
    (plan,) = followup.plan_after_visit(closed_visit(care, patient, days_ago=2))
    from plugins.his.models import Patient
    from plugins.his.services.patients import mark_deceased

    record = db.session.scalar(select(Patient).where(Patient.customer_id == patient.id))
    yesterday = record.created_at.date() - timedelta(days=1)
    mark_deceased(record, {"deceased_on": yesterday.isoformat()}, care.li)
    db.session.refresh(plan)
    assert plan.status == "stopped" and plan.stop_reason == followup.DECEASED
