"""Departments and clinic sessions through the API: a department's team
and staff, planning a session (doctor of the department, not in the past,
one per doctor, day and period), a week template, quotas that never drop a
booked slot, free counts by channel — each refusal naming its field with
nothing written."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text

from core.api import Team, db
from plugins.his.models import ClinicSession, Department

from .clinic_fixtures import book, day, patient, session_payload, ward  # noqa: F401


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_department_gets_a_team_of_its_name_and_lists_its_doctors_and_nurses(as_user, ward):
    assert ward.cardiology.team.name == "Cardiology" and ward.cardiology.code == "CARD"
    body = as_user(ward.clerk).get(f"/api/v1/his/departments/{ward.cardiology.id}").json
    assert sorted((s["name"], s["role"]) for s in body["staff"]) == [
        ("Dr Li", "his_doctor"),
        ("Nurse Wu", "his_nurse"),
    ]
    listed = as_user(ward.clerk).get("/api/v1/his/departments").json
    assert [d["code"] for d in listed["items"]] == ["CARD", "DERM"]


def test_creating_a_department_needs_his_admin_and_a_free_code(as_user, ward):
    teams = _count(Team)
    refused = as_user(ward.planner).post("/api/v1/his/departments", json={"code": "X", "name": "X"})
    assert refused.status_code == 403
    taken = as_user(ward.admin).post(
        "/api/v1/his/departments", json={"code": "card", "name": "Cardiology two"}
    )
    assert taken.status_code == 409 and "code" in taken.json["errors"]
    bad = as_user(ward.admin).post("/api/v1/his/departments", json={"code": "a b", "name": " "})
    assert bad.status_code == 422 and {"code", "name"} <= set(bad.json["errors"])
    held = as_user(ward.admin).post(
        "/api/v1/his/departments",
        json={"code": "C2", "name": "C2", "team_id": ward.cardiology.team_id},
    )
    assert held.status_code == 409 and "team_id" in held.json["errors"]
    assert (_count(Team), _count(Department)) == (teams, 2)  # nothing written
    made = as_user(ward.admin).post(
        "/api/v1/his/departments", json={"code": "ent", "name": "ENT", "sort_order": 3}
    )
    assert made.status_code == 201 and made.json["code"] == "ENT"
    assert db.session.get(Team, made.json["team_id"]).name == "ENT"


def test_a_department_is_edited_under_its_version_and_deactivated(as_user, ward):
    client = as_user(ward.admin)
    url = f"/api/v1/his/departments/{ward.dermatology.id}"
    stale = client.patch(url, json={"name": "Skin", "version": 99})
    assert stale.status_code == 409 and ward.dermatology.name == "Dermatology"
    done = client.patch(url, json={"active": False, "version": ward.dermatology.version})
    assert done.status_code == 200 and done.json["active"] is False
    planned = as_user(ward.planner).post(
        "/api/v1/his/sessions",
        json=session_payload(ward, department_id=ward.dermatology.id, doctor_id=ward.zhou.id),
    )
    assert planned.status_code == 422 and "department_id" in planned.json["errors"]


def test_planning_a_session_checks_doctor_day_and_one_per_period(as_user, ward):
    client = as_user(ward.planner)
    made = client.post("/api/v1/his/sessions", json=session_payload(ward))
    assert made.status_code == 201, made.json
    assert (made.json["free_desk"], made.json["free_online"], made.json["fee"]) == (2, 2, "50.00")
    again = client.post("/api/v1/his/sessions", json=session_payload(ward, desk_quota=5))
    assert again.status_code == 409 and "doctor_id" in again.json["errors"]
    other = client.post("/api/v1/his/sessions", json=session_payload(ward, doctor_id=ward.zhou.id))
    assert other.status_code == 422 and "doctor_id" in other.json["errors"]
    nurse = client.post("/api/v1/his/sessions", json=session_payload(ward, doctor_id=ward.nurse.id))
    assert nurse.status_code == 422 and "doctor_id" in nurse.json["errors"]
    past = client.post("/api/v1/his/sessions", json=session_payload(ward, day=day(-1).isoformat()))
    assert past.status_code == 422 and "day" in past.json["errors"]
    bad = client.post(
        "/api/v1/his/sessions",
        json=session_payload(ward, period="night", desk_quota=-1, registration_type="vip"),
    )
    assert bad.status_code == 422
    assert {"period", "desk_quota", "registration_type"} <= set(bad.json["errors"])
    missing = client.post("/api/v1/his/sessions", json=session_payload(ward, department_id=999))
    assert missing.status_code == 404 and "department_id" in missing.json["errors"]
    assert _count(ClinicSession) == 1
    assert as_user(ward.clerk).post("/api/v1/his/sessions", json={}).status_code == 403


def test_a_week_template_plans_the_pattern_and_skips_what_exists(as_user, ward):
    client = as_user(ward.planner)
    start = day(1)
    first = client.post("/api/v1/his/sessions", json=session_payload(ward, day=start.isoformat()))
    assert first.status_code == 201
    weekdays = sorted({start.isoweekday(), (start.isoweekday() % 7) + 1})  # start and the next day
    body = {
        "department_id": ward.cardiology.id,
        "doctor_id": ward.li.id,
        "start": start.isoformat(),
        "weeks": 2,
        "weekdays": weekdays,
        "periods": ["morning", "afternoon"],
        "fee": "20.00",
        "desk_quota": 3,
        "online_quota": 1,
    }
    answer = client.post("/api/v1/his/sessions/template", json=body)
    assert answer.status_code == 201, answer.json
    assert (answer.json["created"], answer.json["skipped"]) == (7, 1)  # 2 weeks × 2 days × 2 − 1
    days = {(s["day"], s["period"]) for s in answer.json["items"]}
    assert len(days) == 7 and all(date.fromisoformat(d).isoweekday() in weekdays for d, _ in days)
    again = client.post("/api/v1/his/sessions/template", json=body)
    assert (again.json["created"], again.json["skipped"]) == (0, 8)
    bad = client.post("/api/v1/his/sessions/template", json=body | {"weeks": 0, "weekdays": [8]})
    assert bad.status_code == 422 and {"weeks", "weekdays"} <= set(bad.json["errors"])
    assert _count(ClinicSession) == 8


def test_quotas_never_drop_a_booked_slot_and_free_counts_follow_bookings(as_user, ward):
    client = as_user(ward.planner)
    made = client.post("/api/v1/his/sessions", json=session_payload(ward)).json
    session = db.session.get(ClinicSession, made["id"])
    book(session, patient("Desk Two"), 2, "desk")
    book(session, patient("Online"), 3, "online")
    book(session, patient("Gone"), 1, "desk", status="cancelled")
    got = as_user(ward.clerk).get(f"/api/v1/his/sessions/{session.id}").json
    assert (got["free_desk"], got["free_online"]) == (1, 1)
    url = f"/api/v1/his/sessions/{session.id}"
    low = client.patch(url, json={"desk_quota": 1})
    assert low.status_code == 409 and "desk_quota" in low.json["errors"]
    shifted = client.patch(url, json={"desk_quota": 3})  # slot 3 would become the desk's
    assert shifted.status_code == 409 and "desk_quota" in shifted.json["errors"]
    online = client.patch(url, json={"online_quota": 0})
    assert online.status_code == 409 and "online_quota" in online.json["errors"]
    db.session.refresh(session)
    assert (session.desk_quota, session.online_quota) == (2, 2)
    more = client.patch(url, json={"online_quota": 5, "fee": "60.00", "version": session.version})
    assert more.status_code == 200 and (more.json["free_online"], more.json["fee"]) == (4, "60.00")
    stale = client.patch(url, json={"online_quota": 6, "version": 1})
    assert stale.status_code == 409
    listed = (
        as_user(ward.clerk)
        .get(
            "/api/v1/his/sessions",
            query_string={"department_id": ward.cardiology.id, "day_from": day(0).isoformat()},
        )
        .json
    )
    assert [(s["id"], s["free_desk"], s["free_online"]) for s in listed["items"]] == [
        (session.id, 1, 4)
    ]
    updates = (
        "SELECT count(*) FROM audit_entry WHERE entity = 'his_clinic_session' AND action = 'update'"
    )
    assert db.session.scalar(text(updates)) == 1


def test_two_planners_racing_for_a_doctors_period_meet_the_index(as_user, ward, monkeypatch):
    """The check before the insert can miss a session another planner is
    saving at the same moment: the unique index refuses the second — the
    same 409 naming ``doctor_id``, nothing half-written."""
    from plugins.his.services.clinic import sessions

    client = as_user(ward.planner)
    assert client.post("/api/v1/his/sessions", json=session_payload(ward)).status_code == 201
    monkeypatch.setattr(sessions, "_doctor_busy", lambda *args: False)  # the race's blind spot
    second = client.post("/api/v1/his/sessions", json=session_payload(ward, desk_quota=9))
    assert second.status_code == 409 and "doctor_id" in second.json["errors"]
    start = day(1)
    template = {
        "department_id": ward.cardiology.id,
        "doctor_id": ward.li.id,
        "start": start.isoformat(),
        "weeks": 1,
        "weekdays": [start.isoweekday()],
        "periods": ["morning", "evening"],
        "fee": "1.00",
        "desk_quota": 1,
        "online_quota": 1,
    }
    raced = client.post("/api/v1/his/sessions/template", json=template)
    assert raced.status_code == 409 and "doctor_id" in raced.json["errors"]
    assert _count(ClinicSession) == 1  # the evening of the template was not kept either
