"""Registration pages under ``/his``: the desk's Registration page (find a
patient in the one box, pick a department and day, book a session's desk
slot or join its waitlist when full, print the slip), and a department's
day of bookings by status with the check-in and cancel buttons. A refused
move is shown as a message, nothing saved."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    ConflictError,
    StaleVersionError,
    ValidationError,
    db,
    require,
    translator,
    visible_customer,
)

from ..models import BOOKING_STATES, Booking, ClinicSession, Department, Patient
from ..services import bookings
from ..services.bookings.access import visible_department_ids
from ..services.bookings.rules import local_today
from ..services.clinic import free_counts, period_labels, sessions_query
from ..services.patients import find_patients
from .blueprint import bp

_, _l = translator("his")

FOUND_SIZE = 20  # patients the search shows
DAY_SIZE = 500  # bookings a department's day shows


def state_labels() -> dict[str, str]:
    return {s: str(label) for s, label in bookings.BOOKING_STATE_LABELS.items()}


def channel_labels() -> dict[str, str]:
    return {"desk": _("At the desk"), "online": _("Online")}


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return local_today()


def _departments() -> list[Department]:
    query = select(Department).where(Department.active.is_(True))
    visible = visible_department_ids(current_user)
    if visible is not None:
        query = query.where(Department.id.in_(visible))
    return list(db.session.scalars(query.order_by(Department.sort_order, Department.name)))


def _int(name: str) -> int | None:
    value = request.values.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.route("/registration", methods=["GET", "POST"], endpoint="registration")
@login_required
def registration():
    """Find the patient, pick department and day, book a desk slot."""
    require("his.booking.write")
    if request.method == "POST":
        payload = {"session_id": _int("session_id"), "customer_id": _int("customer_id")}
        try:
            if request.form.get("waitlist"):
                bookings.join_waitlist(payload, current_user)
                flash(_("The patient is on the waitlist."), "success")
            else:
                made = bookings.book(payload, current_user)
                flash(_("Registered: %(number)s", number=made.number), "success")
                return redirect(url_for(".booking_slip", booking_id=made.id))
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.summary, "error")
        return redirect(url_for(".registration", **_picked()))
    q = request.args.get("q", "").strip()[:100]
    found = []
    if q:
        found = list(
            db.session.scalars(
                find_patients(current_user, q)
                .options(joinedload(Patient.customer))
                .limit(FOUND_SIZE)
            )
        )
    customer_id = _int("customer_id")
    patient = None
    if customer_id is not None:
        visible_customer(customer_id, current_user)
        patient = db.session.scalar(select(Patient).where(Patient.customer_id == customer_id))
    departments = _departments()
    department_id = _int("department_id") or (departments[0].id if departments else None)
    day = _day(request.args.get("day"))
    sessions: list[ClinicSession] = []
    if department_id is not None:
        sessions = list(db.session.scalars(sessions_query(department_id, day_from=day, day_to=day)))
    return render_template(
        "his/registration.html",
        q=q,
        found=found,
        patient=patient,
        departments=departments,
        department_id=department_id,
        day=day,
        sessions=sessions,
        free=free_counts(sessions),
        periods=period_labels(),
    )


def _picked() -> dict:
    return {
        k: request.form.get(k)
        for k in ("customer_id", "department_id", "day", "q")
        if request.form.get(k)
    }


@bp.route("/bookings/<int:booking_id>/slip", endpoint="booking_slip")
@login_required
def booking_slip(booking_id: int):
    """The registration slip to print: number, department, doctor, day,
    period, slot and fee."""
    require("his.booking.read")
    booking = bookings.visible_booking(booking_id, current_user)
    return render_template(
        "his/booking_slip.html", booking=booking, periods=period_labels(), states=state_labels()
    )


@bp.route("/bookings", endpoint="bookings")
@login_required
def day_of_bookings():
    """A department's day of bookings, by status."""
    require("his.booking.read")
    departments = _departments()
    department_id = _int("department_id") or (departments[0].id if departments else None)
    day = _day(request.args.get("day"))
    status = request.args.get("status", "")
    rows: list[Booking] = []
    if department_id is not None:
        query = (
            bookings.visible_bookings(current_user)
            .where(Booking.department_id == department_id, Booking.day == day)
            .options(joinedload(Booking.customer), joinedload(Booking.session))
            .order_by(Booking.queue_no.is_(None), Booking.queue_no, Booking.slot_no, Booking.id)
            .limit(DAY_SIZE)
        )
        if status in BOOKING_STATES:
            query = query.where(Booking.status == status)
        rows = list(db.session.scalars(query))
    return render_template(
        "his/bookings.html",
        departments=departments,
        department_id=department_id,
        day=day,
        status=status,
        rows=rows,
        states=state_labels(),
        channels=channel_labels(),
        periods=period_labels(),
        actions_for=lambda b: bookings.actions_for(b, current_user),
        action_labels={a: str(v) for a, v in bookings.BOOKING_ACTION_LABELS.items()},
    )


@bp.route("/bookings/<int:booking_id>/move", methods=["POST"], endpoint="move_booking")
@login_required
def move_booking(booking_id: int):
    """Take one action on a booking (the buttons of the day's list and My queue)."""
    require("his.booking.read")
    booking = bookings.visible_booking(booking_id, current_user)
    action = request.form.get("action", "")
    version = _int("version")
    payload = {"reason": request.form.get("reason", "").strip()} if action == "cancel" else {}
    try:
        moved = bookings.transition(booking, action, current_user, payload, version)
    except (ValidationError, ConflictError) as exc:
        db.session.rollback()
        flash(getattr(exc, "summary", None) or str(exc), "error")
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this registration meanwhile; look again and retry."), "error")
    else:
        label = bookings.BOOKING_STATE_LABELS[moved.status]
        flash(_("%(number)s: %(state)s", number=moved.number, state=label), "success")
    back = request.form.get("next", "")
    if not back.startswith("/his/"):
        back = url_for(".bookings", department_id=booking.department_id, day=booking.day)
    return redirect(back)
