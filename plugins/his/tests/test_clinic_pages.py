"""The clinic's pages: the Departments list and form, the week Schedule
with the plan-a-session and week-template forms, and a session's page for
the desk with its slots and the stop form — real forms posting to the same
services, a refusal shown at its field with nothing saved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.api import Activity, db
from plugins.his.models import ClinicSession, Department

from .clinic_fixtures import book, day, patient, session_payload, ward  # noqa: F401


def _post(client, url: str, data: dict, **kwargs):
    """POST a form as the browser does: with the token of the page's form."""
    page = client.get(url).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page
    )
    assert token is not None
    return client.post(url, data=data | {"csrf_token": token.group(1)}, **kwargs)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_departments_list_and_form_create_and_deactivate(app, login_as, ward):
    client = login_as(ward.admin)
    page = client.get("/his/departments")
    assert page.status_code == 200 and "Cardiology" in page.text and "CARD" in page.text
    refused = _post(client, "/his/departments/new", data={"code": "card", "name": "Heart"})
    assert refused.status_code == 409 and 'id="e-code"' in refused.text and "Heart" in refused.text
    assert _count(Department) == 2
    made = _post(client, "/his/departments/new", data={"code": "ent", "name": "ENT", "team_id": ""})
    assert made.status_code == 302
    ent = db.session.scalar(select(Department).where(Department.code == "ENT"))
    assert ent.team.name == "ENT"
    edit = client.get(f"/his/departments/{ward.cardiology.id}/edit")
    assert "Dr Li" in edit.text and "Nurse Wu" in edit.text
    done = _post(
        client,
        f"/his/departments/{ent.id}/edit",
        data={
            "code": "ENT",
            "name": "ENT",
            "team_id": ent.team_id,
            "sort_order": "1",
            "active__present": "1",
            "version": ent.version,
        },
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert ent.active is False
    assert login_as(ward.planner).get("/his/departments/new").status_code == 403


def test_the_schedule_shows_the_week_by_day_and_period(app, login_as, as_user, ward):
    client = login_as(ward.planner)
    made = _post(
        client,
        "/his/sessions/new",
        data={k: str(v) for k, v in session_payload(ward, desk_quota=3, online_quota=1).items()},
    )
    assert made.status_code == 302, made.text
    session = db.session.scalar(select(ClinicSession))
    book(session, patient(), 1)
    grid = client.get(
        "/his/schedule",
        query_string={"department_id": ward.cardiology.id, "week": day().isoformat()},
    )
    assert grid.status_code == 200 and "Dr Li" in grid.text and "3 / 4 free" in grid.text
    refused = _post(
        client, "/his/sessions/new", data={k: str(v) for k, v in session_payload(ward).items()}
    )
    assert refused.status_code == 409 and 'id="e-doctor_id"' in refused.text
    bad = _post(
        client,
        "/his/sessions/new",
        data={k: str(v) for k, v in session_payload(ward, day=day(-3).isoformat()).items()},
    )
    assert bad.status_code == 422 and 'id="e-day"' in bad.text
    assert _count(ClinicSession) == 1
    template = _post(
        client,
        "/his/sessions/template",
        data={
            "department_id": ward.cardiology.id,
            "doctor_id": ward.li.id,
            "start": day().isoformat(),
            "weeks": "1",
            "weekdays": ["1", "2", "3", "4", "5", "6", "7"],
            "periods": ["morning"],
            "registration_type": "general",
            "fee": "10.00",
            "desk_quota": "5",
            "online_quota": "5",
        },
        follow_redirects=True,
    )
    assert template.status_code == 200 and "6 clinic sessions planned; 1 skipped" in template.text
    assert _count(ClinicSession) == 7
    reader = login_as(ward.clerk).get("/his/schedule")
    assert reader.status_code == 200 and "Plan a clinic session" not in reader.text


def test_the_session_page_lists_slots_and_stops_with_a_reason(app, login_as, as_user, ward):
    answer = as_user(ward.planner).post("/api/v1/his/sessions", json=session_payload(ward))
    session = db.session.get(ClinicSession, answer.json["id"])
    later = (
        as_user(ward.planner)
        .post("/api/v1/his/sessions", json=session_payload(ward, day=day(2).isoformat()))
        .json
    )
    booking = book(session, patient("Wang Jun"), 2, by=ward.clerk)
    desk = login_as(ward.clerk).get(f"/his/sessions/{session.id}")
    assert desk.status_code == 200 and "Wang Jun" in desk.text and booking.number in desk.text
    assert "Stop the session" not in desk.text  # the clerk may not stop it
    assert (
        _post(login_as(ward.clerk), f"/his/sessions/{session.id}", {"reason": "x"}).status_code
        == 403
    )
    client = login_as(ward.planner)
    blank = _post(
        client, f"/his/sessions/{session.id}", data={"reason": "", "version": session.version}
    )
    assert blank.status_code == 422 and 'id="e-reason"' in blank.text
    stopped = _post(
        client,
        f"/his/sessions/{session.id}",
        data={"reason": "Dr Li is ill", "version": session.version},
        follow_redirects=True,
    )
    assert stopped.status_code == 200 and "Dr Li is ill" in stopped.text
    assert f"/his/sessions/{later['id']}" in stopped.text  # offered for rebooking
    assert _count(Activity) >= 2


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_demo_has_three_departments_with_doctors_and_two_weeks_of_sessions(locale, make_user):
    from plugins.his.demo import DEPARTMENTS, load_clinic
    from plugins.his.services import clinic

    load_clinic(locale, make_user(role="admin"))
    departments = db.session.scalars(clinic.departments_query()).all()
    assert [d.name for d in departments] == DEPARTMENTS[locale]
    assert all(d.team is not None and len(clinic.doctors(d)) == 1 for d in departments)
    sessions = db.session.scalars(select(ClinicSession)).all()
    days = {s.day for s in sessions}
    assert min(days) >= day(0) and max(days) <= day(13)
    assert len(sessions) >= 3 * 8  # weekday mornings of two weeks, each department
    assert {s.registration_type for s in sessions} == {"general", "expert"}
    assert [s.status for s in sessions].count("stopped") == 1


def test_the_edit_form_keeps_booked_slots_in_their_channel(login_as, as_user, ward):
    answer = as_user(ward.planner).post("/api/v1/his/sessions", json=session_payload(ward))
    session = db.session.get(ClinicSession, answer.json["id"])
    book(session, patient(), 2)
    client = login_as(ward.planner)
    url = f"/his/sessions/{session.id}/edit"
    form = {"registration_type": "general", "fee": "30.00", "online_quota": "2"}
    low = _post(client, url, form | {"desk_quota": "1", "version": session.version})
    assert low.status_code == 409 and 'id="e-desk_quota"' in low.text
    db.session.expire_all()
    assert (session.desk_quota, str(session.fee)) == (2, "50.00")
    done = _post(client, url, form | {"desk_quota": "4", "version": session.version})
    assert done.status_code == 302
    db.session.expire_all()
    assert (session.desk_quota, session.registration_type) == (4, "general")
