"""The registration pages: the desk finds a patient, books a desk slot and
gets the slip; the day's list checks in and cancels with a reason; the
doctor's My queue calls the next number; the queue board shows masked names
only and refreshes its rows with htmx; a doctor of another department gets
404 on the board."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.api import db
from plugins.his.models import Booking

from .booking_fixtures import booked, clinic  # noqa: F401


def _post(web, url: str, data: dict):
    """POST a form as the browser does, with the CSRF token of a page."""
    page = web.get("/his/bookings").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the page"
    return web.post(url, data=data | {"csrf_token": token.group(1)})


def test_the_desk_books_at_the_registration_page_and_prints_the_slip(clinic, login_as):
    session = clinic.session(desk=1, online=0)
    wang = clinic.patient("Wang Xiaoying")
    client = login_as(clinic.clerk)
    page = client.get(
        f"/his/registration?customer_id={wang.id}&department_id={clinic.cardiology.id}"
        f"&day={clinic.tomorrow.isoformat()}"
    )
    assert page.status_code == 200 and "Wang Xiaoying" in page.text and "Dr Li" in page.text
    posted = _post(
        client, "/his/registration", data={"session_id": session.id, "customer_id": wang.id}
    )
    assert posted.status_code == 302 and "/slip" in posted.location
    made = db.session.scalar(select(Booking))
    slip = client.get(posted.location)
    assert slip.status_code == 200 and made.number in slip.text
    # the session is full now: the page offers the waitlist
    li = clinic.patient("Li Hua")
    full = client.get(
        f"/his/registration?customer_id={li.id}&department_id={clinic.cardiology.id}"
        f"&day={clinic.tomorrow.isoformat()}"
    )
    assert 'name="waitlist"' in full.text


def test_the_days_list_checks_in_and_cancels(clinic, login_as):
    session = clinic.session(day=clinic.today, period="evening")
    tomorrow = clinic.session()
    come, go = (
        booked(clinic, session, clinic.patient("Come")),
        booked(clinic, tomorrow, clinic.patient("Go")),
    )
    client = login_as(clinic.clerk)
    page = client.get(f"/his/bookings?department_id={clinic.cardiology.id}&day={clinic.today}")
    assert page.status_code == 200 and come.number in page.text and go.number not in page.text
    _post(
        client,
        f"/his/bookings/{come.id}/move",
        data={"action": "check_in", "version": come.version},
    )
    _post(
        client,
        f"/his/bookings/{go.id}/move",
        data={"action": "cancel", "version": go.version, "reason": "travel"},
    )
    db.session.expire_all()
    assert db.session.get(Booking, come.id).queue_no == 1
    assert db.session.get(Booking, go.id).status == "cancelled"


def test_my_queue_calls_next_and_the_board_masks_names(clinic, login_as):
    session = clinic.session(day=clinic.today, period="evening")
    from plugins.his.services import bookings

    row = bookings.check_in(booked(clinic, session, clinic.patient("王小英")), clinic.clerk)
    doctor = login_as(clinic.li)
    assert "王小英" in doctor.get("/his/my-queue").text
    called = _post(doctor, "/his/my-queue/call-next", {})
    assert "Called number 1" in doctor.get(called.location).text
    db.session.expire_all()
    assert db.session.get(Booking, row.id).status == "called"
    board = doctor.get(f"/his/queue/{clinic.cardiology.id}")
    assert board.status_code == 200 and "王*英" in board.text and "王小英" not in board.text
    assert "hx-get" in board.text
    rows = doctor.get(f"/his/queue/{clinic.cardiology.id}/rows")
    assert rows.status_code == 200 and "王*英" in rows.text
    # a wall screen: no menu, no top bar, and no message meant for the doctor
    _post(doctor, "/his/my-queue/call-next", {})  # flashes "no one is waiting"
    screen = doctor.get(f"/his/queue/{clinic.cardiology.id}").text
    assert 'id="main-menu"' not in screen and 'class="topbar"' not in screen
    assert 'class="flash' not in screen and 'class="shell bare"' in screen
    assert 'class="flash' in doctor.get("/his/my-queue").text  # kept for the doctor's page


def test_another_departments_doctor_gets_404_on_the_board(clinic, login_as):
    client = login_as(clinic.zhou)
    assert client.get(f"/his/queue/{clinic.cardiology.id}").status_code == 404
    assert client.get(f"/his/queue/{clinic.dermatology.id}").status_code == 200
