"""The follow-up API: templates written by his.admin only, plans and
attempts by clinical staff in their scope (another department's doctor gets
404, a salesman 403), refusals naming the field with nothing written."""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import Activity, db
from plugins.his.models import FollowupPlan, FollowupTemplate
from plugins.his.services import followup

from .followup_fixtures import QUESTIONS, care, clinic, closed_visit, template  # noqa: F401

BODY = {"name": "After a visit", "offsets": [1, 7], "questions": QUESTIONS}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_templates_are_written_by_his_admin_and_read_by_clinical_staff(as_user, care):
    refused = as_user(care.li).post("/api/v1/his/followup-templates", json=BODY)
    assert refused.status_code == 403
    made = as_user(care.admin).post("/api/v1/his/followup-templates", json=BODY)
    assert made.status_code == 201, made.json
    assert made.json["questions"][0]["red_flag"] == {"equals": "yes"}
    assert made.json["plan_id"] is not None
    listed = as_user(care.nurse).get("/api/v1/his/followup-templates").json
    assert [t["name"] for t in listed["items"]] == ["After a visit"]
    assert as_user(care.sales).get("/api/v1/his/followup-templates").status_code == 403
    changed = as_user(care.admin).patch(
        f"/api/v1/his/followup-templates/{made.json['id']}",
        json={"attempts_before_lost": 5, "version": made.json["version"]},
    )
    assert changed.status_code == 200 and changed.json["attempts_before_lost"] == 5
    stale = as_user(care.admin).patch(
        f"/api/v1/his/followup-templates/{made.json['id']}",
        json={"attempts_before_lost": 4, "version": made.json["version"]},
    )
    assert stale.status_code == 409


def test_a_bad_template_is_422_naming_the_field(as_user, care):
    bad = as_user(care.admin).post(
        "/api/v1/his/followup-templates", json=BODY | {"offsets": [7, 1], "channel": "fax"}
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"channel"} or "offsets" in bad.json["errors"]
    missing = as_user(care.admin).post(
        "/api/v1/his/followup-templates", json=BODY | {"department_id": 999999}
    )
    assert missing.status_code == 404 and "department_id" in missing.json["errors"]
    assert _count(FollowupTemplate) == 0


def test_plans_are_seen_in_scope(as_user, care):
    template(care)
    (mine,) = followup.plan_after_visit(closed_visit(care, care.patient("Cardio Patient")))
    template(care, name="Dermatology", department_id=care.dermatology.id)
    derm_visit = closed_visit(
        care, care.patient("Derm Patient"), department=care.dermatology, doctor=care.zhou
    )
    (theirs,) = followup.plan_after_visit(derm_visit)
    nurse = as_user(care.nurse).get("/api/v1/his/followup-plans").json
    assert [p["patient"] for p in nurse["items"]] == ["Cardio Patient"]
    assert len(nurse["items"][0]["steps"]) == 3
    assert as_user(care.nurse).get(f"/api/v1/his/followup-plans/{theirs.id}").status_code == 404
    zhou = as_user(care.zhou).get(f"/api/v1/his/followup-plans/{theirs.id}")
    assert zhou.status_code == 200 and zhou.json["template"] == "Dermatology"
    attempt = as_user(care.zhou).post(
        f"/api/v1/his/followup-plans/{mine.id}/attempts", json={"outcome": "reached"}
    )
    assert attempt.status_code == 404
    assert as_user(care.sales).get("/api/v1/his/followup-plans").status_code == 403
    by_patient = (
        as_user(care.admin).get(f"/api/v1/his/followup-plans?customer_id={theirs.customer_id}").json
    )
    assert [p["id"] for p in by_patient["items"]] == [theirs.id]
    found = as_user(care.admin).get("/api/v1/his/followup-plans?q=Derm").json
    assert [p["id"] for p in found["items"]] == [theirs.id]


def test_an_attempt_with_a_red_flag_through_the_api(as_user, care):
    template(care)
    (plan,) = followup.plan_after_visit(closed_visit(care, care.patient()))
    done = as_user(care.nurse).post(
        f"/api/v1/his/followup-plans/{plan.id}/attempts",
        json={"outcome": "reached", "answers": {"fever": "yes", "pain": 2, "note": "tired"}},
    )
    assert done.status_code == 201, done.json
    assert [a["key"] for a in done.json["red_flags"]] == ["fever"]
    assert done.json["step"]["status"] == "done" and done.json["step"]["red_flag"]
    doctor_task = db.session.get(Activity, done.json["doctor_task_id"])
    assert doctor_task.owner_id == care.li.id and doctor_task.done_at is None
    listed = as_user(care.li).get(f"/api/v1/his/followup-plans/{plan.id}/attempts").json
    assert [(a["outcome"], len(a["answers"])) for a in listed] == [("reached", 3)]
    before = _count(Activity)
    bad = as_user(care.nurse).post(
        f"/api/v1/his/followup-plans/{plan.id}/attempts",
        json={"outcome": "not_reached", "answers": {"fever": "no"}},
    )
    assert bad.status_code == 422 and "answers" in bad.json["errors"]
    assert _count(Activity) == before


def test_a_plan_by_hand_and_stopping_it(as_user, care):
    made = template(care)
    visit = closed_visit(care, care.patient())
    created = as_user(care.li).post(
        "/api/v1/his/followup-plans", json={"visit_id": visit.id, "template_id": made.id}
    )
    assert created.status_code == 201 and created.json["status"] == "active"
    again = as_user(care.li).post(
        "/api/v1/his/followup-plans", json={"visit_id": visit.id, "template_id": made.id}
    )
    assert again.status_code == 409 and "template_id" in again.json["errors"]
    hidden = as_user(care.zhou).post(
        "/api/v1/his/followup-plans", json={"visit_id": visit.id, "template_id": made.id}
    )
    assert hidden.status_code == 404 and "visit_id" in hidden.json["errors"]
    stopped = as_user(care.nurse).post(
        f"/api/v1/his/followup-plans/{created.json['id']}/stop", json={"reason": "moved away"}
    )
    assert stopped.status_code == 200 and stopped.json["status"] == "stopped"
    twice = as_user(care.nurse).post(
        f"/api/v1/his/followup-plans/{created.json['id']}/stop", json={"reason": "again"}
    )
    assert twice.status_code == 409
    assert _count(FollowupPlan) == 1
