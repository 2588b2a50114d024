"""Stopping a clinic session (停诊): the live bookings are cancelled with
"session stopped", each patient gets a timeline entry and the desk a task
to call them to rebook, naming the department's next open sessions; a
stopped session is stopped once and frees nothing twice. And a session's
slots: channel and free or taken for anyone signed in, the bookings only
for who may read them; the schedule is closed to who may not."""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import Activity, db
from plugins.his.models import Booking, ClinicSession
from plugins.his.services import clinic

from .clinic_fixtures import book, day, patient, session_payload, ward  # noqa: F401


def _plan(as_user, ward, **fields) -> ClinicSession:
    answer = as_user(ward.planner).post(
        "/api/v1/his/sessions", json=session_payload(ward, **fields)
    )
    assert answer.status_code == 201, answer.json
    return db.session.get(ClinicSession, answer.json["id"])


def test_stopping_cancels_live_bookings_notifies_and_offers_rebooking(as_user, login_as, ward):
    stopped = _plan(as_user, ward)
    later = _plan(as_user, ward, day=day(2).isoformat())
    full = _plan(as_user, ward, day=day(3).isoformat(), desk_quota=0, online_quota=0)
    wang, chen, seen = patient("Wang Jun"), patient("Chen Li"), patient("Old Visit")
    booked = book(stopped, wang, 1, "desk", by=ward.clerk)
    online = book(stopped, chen, 3, "online", status="checked_in")
    gone = book(stopped, seen, 2, "desk", status="cancelled")
    answer = as_user(ward.planner).post(
        f"/api/v1/his/sessions/{stopped.id}/stop", json={"reason": "Dr Li is ill"}
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["cancelled"] == 2 and answer.json["session"]["status"] == "stopped"
    assert (answer.json["session"]["free_desk"], answer.json["session"]["free_online"]) == (0, 0)
    db.session.expire_all()
    assert stopped.stop_reason == "Dr Li is ill" and stopped.stopped_by_id == ward.planner.id
    for row in (booked, online):
        assert (row.status, row.cancel_reason) == ("cancelled", clinic.STOPPED_REASON)
        assert row.cancelled_at is not None
    assert gone.cancel_reason is None  # cancelled before: left as it was
    notes = db.session.scalars(select(Activity).where(Activity.kind == "note")).all()
    assert sorted(n.customer_id for n in notes) == sorted([wang.id, chen.id])
    assert all("Dr Li is ill" in n.body for n in notes)
    tasks = {
        t.customer_id: t
        for t in db.session.scalars(select(Activity).where(Activity.kind == "task")).all()
    }
    assert set(tasks) == {wang.id, chen.id}
    assert tasks[wang.id].owner_id == ward.clerk.id  # the clerk who booked it
    assert tasks[chen.id].owner_id == ward.planner.id  # booked online: the one stopping
    assert all(t.due_at is not None and t.done_at is None for t in tasks.values())
    assert later.day.isoformat() in tasks[wang.id].body and full.day.isoformat() not in (
        tasks[wang.id].body
    )
    assert clinic.rebook_options(booked) == [later]  # the full one offers nothing
    offered = as_user(ward.clerk).get(f"/api/v1/his/sessions/{stopped.id}/rebook-options")
    assert [(s["id"], s["free_desk"]) for s in offered.json] == [(later.id, 2)]
    assert clinic.rebook_options(gone) == []
    timeline = login_as(ward.clerk).get(f"/customers/{wang.id}?tab=timeline")
    assert timeline.status_code == 200 and f"Call to rebook: registration {booked.number}" in (
        timeline.text
    )


def test_a_session_is_stopped_once_with_a_reason_and_not_in_the_past(as_user, ward):
    session = _plan(as_user, ward)
    book(session, patient(), 1)
    client = as_user(ward.planner)
    url = f"/api/v1/his/sessions/{session.id}/stop"
    blank = client.post(url, json={"reason": "  "})
    assert blank.status_code == 422 and "reason" in blank.json["errors"]
    stale = client.post(url, json={"reason": "ill", "version": session.version + 1})
    assert stale.status_code == 409
    assert as_user(ward.clerk).post(url, json={"reason": "ill"}).status_code == 403
    db.session.expire_all()
    assert session.status == "open" and _live() == 1  # nothing written
    assert client.post(url, json={"reason": "ill"}).status_code == 200
    twice = client.post(url, json={"reason": "again"})
    assert twice.status_code == 409 and twice.json["type"].endswith("illegal-transition")
    edit = client.patch(f"/api/v1/his/sessions/{session.id}", json={"desk_quota": 9})
    assert edit.status_code == 409 and "status" in edit.json["errors"]
    past = ClinicSession(**{**_columns(session), "day": day(-1), "status": "open"})
    db.session.add(past)
    db.session.commit()
    old = client.post(f"/api/v1/his/sessions/{past.id}/stop", json={"reason": "ill"})
    assert old.status_code == 409 and "day" in old.json["errors"]


def _live() -> int:
    return db.session.scalar(select(func.count()).where(Booking.status == "booked")) or 0


def _columns(session: ClinicSession) -> dict:
    keep = ("department_id", "doctor_id", "period", "registration_type", "fee", "currency")
    return {k: getattr(session, k) for k in keep} | {"desk_quota": 1, "online_quota": 1}


def test_slots_show_channel_and_taken_and_bookings_only_to_readers(as_user, ward):
    session = _plan(as_user, ward, desk_quota=2, online_quota=1)
    book(session, patient("Wang Jun"), 2)
    url = f"/api/v1/his/sessions/{session.id}/slots"
    shown = as_user(ward.clerk).get(url).json
    assert [(s["number"], s["channel"], s["free"]) for s in shown] == [
        (1, "desk", True),
        (2, "desk", False),
        (3, "online", True),
    ]
    assert shown[1]["booking"]["patient"] == "Wang Jun"
    blind = as_user(ward.sales).get(url)
    assert blind.status_code == 200 and [s["free"] for s in blind.json] == [True, False, True]
    assert all(s["booking"] is None for s in blind.json) and "Wang Jun" not in blind.text
    assert as_user(ward.sales).get("/api/v1/his/slots").status_code == 404


def test_the_schedule_is_closed_to_who_may_not_read_bookings(as_user, login_as, ward):
    session = _plan(as_user, ward)
    api = as_user(ward.sales)
    for path in ("/departments", f"/departments/{ward.cardiology.id}", "/sessions"):
        assert api.get(f"/api/v1/his{path}").status_code == 403
    assert api.get(f"/api/v1/his/sessions/{session.id}").status_code == 403
    assert (
        api.post(f"/api/v1/his/sessions/{session.id}/stop", json={"reason": "x"}).status_code == 403
    )
    page = login_as(ward.sales)
    for path in ("/his/departments", "/his/schedule", f"/his/sessions/{session.id}"):
        assert page.get(path).status_code in (403, 404), path
    assert as_user(ward.clerk).get("/api/v1/his/sessions/999").status_code == 404


def test_a_doctor_sees_the_patients_of_a_slot_only_in_their_department(as_user, login_as, ward):
    session = _plan(as_user, ward)
    book(session, patient("Wang Jun", team=ward.cardiology.team), 1)
    url = f"/api/v1/his/sessions/{session.id}/slots"
    mine = as_user(ward.li).get(url).json
    assert mine[0]["booking"]["patient"] == "Wang Jun"
    theirs = as_user(ward.zhou).get(url)
    assert [s["free"] for s in theirs.json][:2] == [False, True]
    assert theirs.json[0]["booking"] is None and "Wang Jun" not in theirs.text
    page = login_as(ward.zhou).get(f"/his/sessions/{session.id}")
    assert page.status_code == 200 and "Wang Jun" not in page.text and "Taken" in page.text
    assert "Wang Jun" in login_as(ward.li).get(f"/his/sessions/{session.id}").text
