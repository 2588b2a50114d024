"""Follow-up pages: the templates list and form (his.admin), My follow-ups
in the user's scope, the call page recording an attempt with a red flag,
a patient's plans partial — in English and Chinese; and the demo's
templates and plans in both languages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.api import Activity, db
from plugins.his.demo import load_demo
from plugins.his.models import FollowupPlan, FollowupTemplate
from plugins.his.services import followup

from .followup_fixtures import care, clinic, closed_visit, template  # noqa: F401


def _form_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1) if found else ""


def test_an_admin_makes_a_template_through_the_form(login_as, care):
    client = login_as(care.admin)
    assert client.get("/his/followup-templates").status_code == 200
    form = client.get("/his/followup-templates/new").text
    posted = client.post(
        "/his/followup-templates/new",
        data={
            "csrf_token": _form_token(form),
            "name": "After a cardiology visit",
            "department_id": str(care.cardiology.id),
            "offsets": "1, 7, 30",
            "channel": "phone",
            "attempts_before_lost": "3",
            "questions_text": "fever | yes_no | Any fever? | yes\npain | scale | Pain? | >=8",
            "active__present": "1",
            "active": "1",
        },
    )
    assert posted.status_code == 302, posted.text
    made = db.session.scalar(select(FollowupTemplate))
    assert made.offsets == [1, 7, 30] and made.active
    assert made.questions[1] == {
        "key": "pain",
        "kind": "scale",
        "text": "Pain?",
        "choices": [],
        "red_flag": {"at_least": 8},
    }
    edit = client.get(f"/his/followup-templates/{made.id}/edit").text
    assert "pain | scale | Pain? | &gt;=8" in edit
    bad = client.post(
        "/his/followup-templates/new",
        data={
            "csrf_token": _form_token(form),
            "name": "Bad",
            "offsets": "7, 1",
            "questions_text": "only | two",
        },
    )
    assert bad.status_code == 422 and 'id="e-questions_text"' in bad.text
    assert login_as(care.li).get("/his/followup-templates").status_code in (403, 404)


def test_my_followups_lists_the_calls_in_scope_and_the_call_records_a_red_flag(login_as, care):
    template(care)
    visit = closed_visit(care, care.patient("Cardio Patient"), days_ago=2)
    (plan,) = followup.plan_after_visit(visit)
    derm = closed_visit(
        care,
        care.patient("Derm Patient"),
        department=care.dermatology,
        doctor=care.zhou,
        days_ago=2,
    )
    template(care, name="Derm", department_id=care.dermatology.id)
    followup.plan_after_visit(derm)
    nurse = login_as(care.nurse)
    page = nurse.get("/his/followups").text
    assert "Cardio Patient" in page and "Derm Patient" not in page
    step = plan.steps[0]
    call = nurse.get(f"/his/followups/steps/{step.id}")
    assert call.status_code == 200 and "Any fever?" in call.text
    done = nurse.post(
        f"/his/followups/steps/{step.id}",
        data={
            "csrf_token": _form_token(call.text),
            "outcome": "reached",
            "answer.fever": "yes",
            "answer.pain": "2",
            "note": "warm",
        },
    )
    assert done.status_code == 302, done.text
    db.session.refresh(step)
    assert step.status == "done" and step.red_flag
    doctor_tasks = db.session.scalars(
        select(Activity).where(
            Activity.owner_id == care.li.id,
            Activity.plan_id.is_(None),
            Activity.due_at.is_not(None),
        )
    ).all()
    assert len(doctor_tasks) == 1
    refused = nurse.post(
        f"/his/followups/steps/{plan.steps[1].id}",
        data={"csrf_token": _form_token(call.text), "note": "no outcome"},
    )
    assert refused.status_code == 422 and 'id="e-outcome"' in refused.text
    assert plan.steps[1].attempts == 0
    assert login_as(care.zhou).get(f"/his/followups/steps/{step.id}").status_code == 404


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_pages_speak_the_users_language(login_as, care, locale):
    template(care)
    (plan,) = followup.plan_after_visit(closed_visit(care, care.patient(), days_ago=2))
    care.nurse.locale = locale
    care.admin.locale = locale
    db.session.commit()
    nurse = login_as(care.nurse)
    due = nurse.get("/his/followups").text
    call = nurse.get(f"/his/followups/steps/{plan.steps[0].id}").text
    listed = login_as(care.admin).get("/his/followup-templates").text
    if locale == "zh_CN":
        assert "我的随访" in due and "随访模板" in listed and "结果" in call
    else:
        assert "My follow-ups" in due and "Follow-up templates" in listed and "Outcome" in call


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_demo_has_templates_and_a_red_flag_plan(locale, make_user):
    users = [make_user(role="admin"), make_user(role="his_doctor")]
    load_demo(locale, [], users)
    db.session.commit()
    names = db.session.scalars(select(FollowupTemplate.name).order_by(FollowupTemplate.id)).all()
    assert len(names) == 4
    assert ("心内科" in names[0]) == (locale == "zh_CN")
    plans = db.session.scalars(select(FollowupPlan).order_by(FollowupPlan.id)).all()
    assert len(plans) == 2 and plans[0].steps[0].red_flag
    assert plans[1].steps[0].status == "due"


def test_the_medical_record_partial_lists_the_patients_plans_in_scope(app, care):
    from types import SimpleNamespace

    from flask import render_template_string
    from flask_login import login_user

    template(care)
    customer = care.patient("Partial Patient")
    followup.plan_after_visit(closed_visit(care, customer, days_ago=2))
    patient = SimpleNamespace(customer_id=customer.id)
    include = '{% include "his/_followup_plans.html" %}'
    for user, shown in ((care.nurse, True), (care.zhou, False), (care.clerk, False)):
        with app.test_request_context("/"):
            login_user(user)
            html = render_template_string(include, patient=patient)
        assert ("After a cardiology visit" in html) is shown, user.name
