"""Complaints: recorded, handled open → in_progress → resolved → closed
(every state × action of the table walked), resolving and closing only
with a resolution, each step audited and on the patient's timeline; the
figures by category checked by hand; the API and pages in scope."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.api import Activity, AuditEntry, IllegalTransition, ValidationError, db, instance_timezone
from plugins.his.models import Complaint
from plugins.his.services.feedback import (
    COMPLAINT,
    complaint_figures,
    create_complaint,
    move_complaint,
)

from .booking_fixtures import clinic  # noqa: F401
from .feedback_fixtures import closed


def complaint(clinic, department=None, **fields) -> Complaint:
    payload = {
        "customer_id": clinic.patient().id,
        "department_id": (department or clinic.cardiology).id,
        "category": "waiting_time",
        "description": "Waited two hours",
        **fields,
    }
    return create_complaint(payload, clinic.clerk)


def in_state(clinic, state: str) -> Complaint:
    row = complaint(clinic)
    row.status = state
    row.resolution = "Apologised" if state in ("resolved", "closed") else None
    db.session.commit()
    return row


def test_a_complaint_is_handled_to_its_close(clinic):
    row = complaint(clinic)
    assert (row.status, row.team_id) == ("open", clinic.cardiology.team_id)
    move_complaint(row, {"action": "start"}, clinic.clerk)
    assert (row.status, row.handler_id) == ("in_progress", clinic.clerk.id)
    move_complaint(row, {"action": "resolve", "resolution": "Apologised; new queue"}, clinic.clerk)
    assert row.status == "resolved" and row.resolved_at is not None
    move_complaint(row, {"action": "close", "version": row.version}, clinic.clerk)
    assert row.status == "closed" and row.closed_at is not None
    assert row.resolution == "Apologised; new queue"
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity == "his_complaint", AuditEntry.entity_id == row.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "start", "resolve", "close"]
    timeline = db.session.scalar(
        select(func.count(Activity.id)).where(
            Activity.customer_id == row.customer_id, Activity.kind == "his_complaint"
        )
    )
    assert timeline == 4


@pytest.mark.parametrize("action", ["resolve", "close"])
def test_resolving_or_closing_needs_a_resolution(clinic, action):
    row = complaint(clinic)
    with pytest.raises(ValidationError) as refused:
        move_complaint(row, {"action": action, "resolution": "  "}, clinic.clerk)
    assert "resolution" in refused.value.errors
    db.session.rollback()
    assert db.session.get(Complaint, row.id).status == "open"


@pytest.mark.parametrize(("state", "action", "target"), list(COMPLAINT.pairs()))
def test_every_state_and_action_of_the_table(clinic, state, action, target):
    row = in_state(clinic, state)
    if target is None:
        with pytest.raises(IllegalTransition):
            move_complaint(row, {"action": action, "resolution": "Done"}, clinic.clerk)
        db.session.rollback()
        assert db.session.get(Complaint, row.id).status == state
    else:
        move_complaint(row, {"action": action, "resolution": "Done"}, clinic.clerk)
        assert db.session.get(Complaint, row.id).status == target


def test_a_reopened_complaint_forgets_when_it_was_resolved(clinic):
    row = in_state(clinic, "in_progress")
    move_complaint(row, {"action": "resolve", "resolution": "Refunded"}, clinic.clerk)
    move_complaint(row, {"action": "reopen"}, clinic.clerk)
    assert (row.status, row.resolved_at) == ("in_progress", None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "rudeness"}, "category"),
        ({"channel": "pigeon"}, "channel"),
        ({"description": ""}, "description"),
        ({"department_id": 999999}, "department_id"),
        ({"customer_id": 999999}, "customer_id"),
        ({"visit_id": 999999}, "visit_id"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_kept(clinic, change, field):
    with pytest.raises(ValidationError) as refused:
        complaint(clinic, **change)
    assert field in refused.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_a_complaint_about_a_visit_takes_its_department(clinic):
    visit = closed(clinic, doctor=clinic.zhou, department=clinic.dermatology)
    row = create_complaint(
        {
            "customer_id": visit.customer_id,
            "visit_id": visit.id,
            "category": "medical_care",
            "description": "Rash not examined",
        },
        clinic.clerk,
    )
    assert (row.department_id, row.team_id) == (clinic.dermatology.id, clinic.dermatology.team_id)


def at(day, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(instance_timezone()))


def test_figures_by_category_match_the_hand_counted_ones(clinic):
    day = clinic.today - timedelta(days=2)
    for category in ["billing", "billing", "waiting_time", "environment"]:
        complaint(clinic, category=category, received_at=at(day).isoformat())
    complaint(clinic, category="billing", received_at=at(day - timedelta(days=9)).isoformat())
    closed_one = complaint(clinic, category="other", received_at=at(clinic.today).isoformat())
    move_complaint(closed_one, {"action": "close", "resolution": "Explained"}, clinic.clerk)
    figures = complaint_figures((day, clinic.today))
    assert figures["total"] == 5
    assert figures["by_category"] == {
        "service_attitude": 0,
        "waiting_time": 1,
        "billing": 2,
        "medical_care": 0,
        "environment": 1,
        "other": 1,
    }
    assert figures["by_status"] == {"open": 4, "in_progress": 0, "resolved": 0, "closed": 1}


def test_the_api_records_moves_and_scopes_complaints(clinic, as_user):
    clerk = as_user(clinic.clerk)
    body = {
        "customer_id": clinic.patient().id,
        "department_id": clinic.cardiology.id,
        "category": "billing",
        "description": "Charged twice",
        "channel": "phone",
    }
    created = clerk.post("/api/v1/his/complaints", json=body)
    assert created.status_code == 201, created.get_json()
    complaint_id = created.get_json()["id"]
    bad = clerk.post("/api/v1/his/complaints", json={**body, "category": "x"})
    assert bad.status_code == 422 and "category" in bad.get_json()["errors"]
    illegal = clerk.post(f"/api/v1/his/complaints/{complaint_id}/moves", json={"action": "reopen"})
    assert illegal.status_code == 409
    moved = clerk.post(
        f"/api/v1/his/complaints/{complaint_id}/moves",
        json={"action": "resolve", "resolution": "Refunded"},
    )
    assert moved.status_code == 200 and moved.get_json()["status"] == "resolved"
    li, zhou = as_user(clinic.li), as_user(clinic.zhou)
    assert li.get(f"/api/v1/his/complaints/{complaint_id}").status_code == 200
    assert zhou.get(f"/api/v1/his/complaints/{complaint_id}").status_code == 404
    assert zhou.get("/api/v1/his/complaints").get_json()["total"] == 0
    assert li.post("/api/v1/his/complaints", json=body).status_code == 403
    figures = clerk.get("/api/v1/his/complaints/figures").get_json()
    assert figures["by_category"]["billing"] == 2 - 1  # the refused one kept nothing


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_the_pages_record_and_handle_a_complaint(clinic, login_as):
    patient = clinic.patient("Sun Mei")
    client = login_as(clinic.clerk)
    found = client.get("/his/complaints/new?q=Sun+Mei")
    assert f"/his/complaints/new?customer_id={patient.id}" in found.text
    path = f"/his/complaints/new?customer_id={patient.id}"
    posted = client.post(
        path,
        data={
            "csrf_token": token(client, path),
            "category": "environment",
            "channel": "desk",
            "description": "Toilets dirty",
            "visit_id": "",
            "department_id": "",
        },
    )
    assert posted.status_code == 303, posted.text
    row = db.session.scalar(select(Complaint))
    page = f"/his/complaints/{row.id}"
    assert "Toilets dirty" in client.get(page).text
    refused = client.post(
        f"{page}/move",
        data={
            "csrf_token": token(client, page),
            "action": "close",
            "resolution": "",
            "version": str(row.version),
        },
    )
    assert refused.status_code == 422 and 'id="e-resolution"' in refused.text
    done = client.post(
        f"{page}/move",
        data={
            "csrf_token": token(client, page),
            "action": "close",
            "resolution": "Cleaned",
            "version": str(row.version),
        },
    )
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Complaint, row.id).status == "closed"
    listed = client.get("/his/complaints?status=closed")
    assert listed.status_code == 200 and "Sun Mei" in listed.text


def test_merge_moves_and_purge_deletes_surveys_and_complaints(clinic, as_user, make_user):
    from plugins.his.models import Survey

    from .feedback_fixtures import survey_row

    survey = survey_row(clinic, at(clinic.today), answer=(4, 9))
    row = complaint(clinic, customer_id=survey.customer_id)
    survivor = clinic.patient("Survivor")
    api = as_user(make_user(role="admin"))
    merged = api.post(
        f"/api/v1/customers/{survivor.id}/merge", json={"merge_id": survey.customer_id}
    )
    assert merged.status_code == 200, merged.json
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).customer_id == survivor.id
    assert db.session.get(Complaint, row.id).customer_id == survivor.id
    assert api.delete(f"/api/v1/customers/{survivor.id}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{survivor.id}").status_code == 204
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Survey.id))) == 0
    assert db.session.scalar(select(func.count(Complaint.id))) == 0
