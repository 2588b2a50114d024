from datetime import timedelta

import pytest
from sqlalchemy import select

from core.api import Activity, DataScope, Role, ValidationError, create_followup_plan, db, utcnow
from plugins.his.models import Visit


@pytest.fixture
def doctor_role(app):
    db.session.add(Role(name="doctor", permissions=["his.visit.read"], scope=DataScope.own))
    db.session.commit()


def visit(patient, doctor, days_ago, follow_up_days=None, department="Cardiology"):
    row = Visit(
        customer_id=patient.id,
        doctor_id=doctor.id,
        department=department,
        visited_at=utcnow() - timedelta(days=days_ago),
        follow_up_days=follow_up_days,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_his_declares_permissions_kinds_and_the_recall_rule(app):
    reg = app.extensions["trellis"]
    assert {"his.visit.read", "his.visit.write", "his.admin"} <= set(reg.permissions)
    assert "visit_record" in reg.activity_kinds and "his_recall" in reg.followup_rules


def test_a_recall_task_comes_due_for_the_doctor_once(app, make_customer, make_user, run_due):
    doctor = make_user()
    patient = make_customer(kind="person", name="Wang Fang")
    due = visit(patient, doctor, days_ago=13, follow_up_days=14)
    visit(patient, doctor, days_ago=1, follow_up_days=30)  # not yet
    visit(patient, doctor, days_ago=40)  # no recall wanted
    create_followup_plan({"name": "随访", "rule": "his_recall", "params": {"days_before": 2}}, None)
    assert run_due().created == 1
    assert run_due().created == 0
    task = db.session.scalar(select(Activity).where(Activity.plan_id.is_not(None)))
    assert (task.link_type, task.link_id, task.owner_id) == ("his_visit", due.id, doctor.id)


def test_recall_plan_with_bad_params_is_refused(app):
    with pytest.raises(ValidationError):
        create_followup_plan(
            {"name": "x", "rule": "his_recall", "params": {"days_before": 99}}, None
        )


def test_a_doctor_sees_only_their_own_visits(app, make_customer, make_user, login_as, doctor_role):
    me, other = make_user(role="doctor"), make_user(role="doctor")
    visit(make_customer(name="Mine Patient"), me, 1, department="Dentistry")
    visit(make_customer(name="Their Patient"), other, 1, department="Oncology")
    page = login_as(me).get("/his/visits").text
    assert "Mine Patient" in page and "Their Patient" not in page
