"""Clinic pages under ``/his``: the Departments list and form (``his.admin``
writes), the Schedule — a week grid of a department's sessions by day and
period, with the forms that plan a session and a week template
(``his.schedule.write``) — and a session's page for the desk: its numbered
slots and the bookings holding them, the rebooking choices of a stopped
session, and the form that stops it with a reason (停诊). Reading needs
``his.booking.read``. A refused input is shown by its field, nothing saved."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    ConflictError,
    StaleVersionError,
    Team,
    ValidationError,
    db,
    form_payload,
    form_version,
    require,
    translator,
)

from ..models import Booking, ClinicSession, Department
from ..services import clinic
from ..services.patients import today
from .blueprint import bp

_, _l = translator("his")


def type_labels() -> dict[str, str]:
    return {"general": _("General"), "expert": _("Expert")}


def booking_status_labels() -> dict[str, str]:
    return {
        "booked": _("Booked"),
        "checked_in": _("Checked in"),
        "called": _("Called"),
        "seen": _("Seen"),
        "cancelled": _("Cancelled"),
        "no_show": _("No-show"),
    }


def weekday_labels() -> list[tuple[int, str]]:
    names = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
    return list(enumerate(names, start=1))


def _team_choices() -> list[tuple[int, str]]:
    return [
        (t.id, t.name) for t in db.session.execute(select(Team.id, Team.name).order_by(Team.name))
    ]


def _refused(exc: Exception) -> tuple[dict, int]:
    """A refusal as the form's errors and the page's status."""
    db.session.rollback()
    if isinstance(exc, ValidationError):
        return exc.errors, exc.status
    if isinstance(exc, StaleVersionError):
        return {
            "_schema": [_("Someone else changed this record meanwhile; look again and retry.")]
        }, 409
    return {"_schema": [str(exc)]}, 409


@bp.route("/departments", endpoint="departments")
@login_required
def departments_list():
    """Every department in its order, with its team and staff count."""
    require("his.booking.read")
    rows = db.session.scalars(clinic.departments_query().options(joinedload(Department.team))).all()
    return render_template(
        "his/departments.html", rows=rows, staff={d.id: len(clinic.staff(d)) for d in rows}
    )


@bp.route("/departments/new", methods=["GET", "POST"], defaults={"department_id": None})
@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
@login_required
def department_form(department_id: int | None):
    """Create or edit a department (``his.admin``)."""
    require("his.admin")
    found = clinic.get_department(department_id) if department_id else None
    values: dict = {}
    if found is not None:
        values = {k: getattr(found, k) for k in ("code", "name", "team_id", "sort_order", "active")}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        schema = clinic.DepartmentChange() if found else clinic.DepartmentInput()
        posted = form_payload(schema)
        try:
            if found is None:
                saved = clinic.create_department(posted, current_user)
            else:
                saved = clinic.update_department(found, dict(posted), current_user, form_version())
        except (ValidationError, StaleVersionError) as exc:
            values, (errors, status) = posted, _refused(exc)
        else:
            flash(_("Department %(name)s saved.", name=saved.name), "success")
            return redirect(url_for(".departments"))
    return render_template(
        "his/departments_form.html",
        department=found,
        values=values,
        errors=errors,
        teams=_team_choices(),
        staff=clinic.staff(found) if found else [],
    ), status


def _monday(text: str | None) -> date:
    try:
        day = date.fromisoformat(text) if text else today()
    except ValueError:
        day = today()
    return day - timedelta(days=day.weekday())


@bp.route("/schedule", endpoint="schedule")
@login_required
def schedule():
    """A department's week: sessions by period × day (``?department_id=``, ``?week=``)."""
    require("his.booking.read")
    departments = db.session.scalars(clinic.departments_query(active_only=True)).all()
    chosen = request.args.get("department_id", type=int)
    department = next((d for d in departments if d.id == chosen), None)
    department = department or (departments[0] if departments else None)
    monday = _monday(request.args.get("week"))
    days = [monday + timedelta(days=n) for n in range(7)]
    sessions: list[ClinicSession] = []
    if department is not None:
        sessions = list(
            db.session.scalars(
                clinic.sessions_query(department.id, None, days[0], days[-1]).options(
                    joinedload(ClinicSession.doctor)
                )
            )
        )
    grid: dict[tuple[str, date], list[ClinicSession]] = {}
    for s in sessions:
        grid.setdefault((s.period, s.day), []).append(s)
    return render_template(
        "his/sessions_schedule.html",
        departments=departments,
        department=department,
        days=days,
        grid=grid,
        free=clinic.free_counts(sessions),
        periods=clinic.period_labels(),
        types=type_labels(),
        previous=(monday - timedelta(days=7)).isoformat(),
        following=(monday + timedelta(days=7)).isoformat(),
        today=today(),
    )


def _plan_form_context(department_id: int | None) -> dict:
    departments = db.session.scalars(clinic.departments_query(active_only=True)).all()
    department = next((d for d in departments if d.id == department_id), None)
    department = department or (departments[0] if departments else None)
    return {
        "departments": [(d.id, d.name) for d in departments],
        "department": department,
        "doctors": [(u.id, u.name) for u in clinic.doctors(department)] if department else [],
        "periods": list(clinic.period_labels().items()),
        "types": list(type_labels().items()),
        "weekdays": weekday_labels(),
    }


@bp.route("/sessions/new", methods=["GET", "POST"])
@login_required
def plan_session():
    """Plan one clinic session (``?department_id=`` chooses the doctors offered)."""
    require("his.schedule.write")
    department_id = request.values.get("department_id", type=int)
    values: dict = {"day": request.args.get("day", today().isoformat()), "fee": "0.00"}
    values |= {"desk_quota": 20, "online_quota": 10, "period": request.args.get("period")}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        values = form_payload(clinic.SessionInput())
        try:
            made = clinic.plan_session(dict(values), current_user)
        except ValidationError as exc:
            errors, status = _refused(exc)
        else:
            flash(_("Clinic session planned."), "success")
            return redirect(_week_url(made.department_id, made.day))
    return render_template(
        "his/sessions_new.html", values=values, errors=errors, **_plan_form_context(department_id)
    ), status


@bp.route("/sessions/template", methods=["GET", "POST"])
@login_required
def plan_template():
    """Plan a week template for several weeks; says how many it planned and skipped."""
    require("his.schedule.write")
    department_id = request.values.get("department_id", type=int)
    values: dict = {"start": today().isoformat(), "weeks": 2, "fee": "0.00", "weekdays": []}
    values |= {"desk_quota": 20, "online_quota": 10, "periods": ["morning"]}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        values = form_payload(clinic.TemplateInput())
        values["weekdays"] = [int(d) if d.isdigit() else d for d in values.get("weekdays", [])]
        try:
            planned = clinic.plan_template(dict(values), current_user)
        except ValidationError as exc:
            errors, status = _refused(exc)
        else:
            flash(
                _(
                    "%(made)d clinic sessions planned; %(skipped)d skipped (the doctor had one).",
                    made=len(planned.sessions),
                    skipped=planned.skipped,
                ),
                "success",
            )
            start = date.fromisoformat(str(values["start"]))
            return redirect(_week_url(int(values["department_id"]), start))
    return render_template(
        "his/sessions_template.html",
        values=values,
        errors=errors,
        **_plan_form_context(department_id),
    ), status


def _week_url(department_id: int, day: date) -> str:
    return url_for(".schedule", department_id=department_id, week=day.isoformat())


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    """Change an open session's type, fee or quotas (never dropping a booked slot)."""
    require("his.schedule.write")
    found = clinic.get_session(session_id)
    keys = ("registration_type", "fee", "desk_quota", "online_quota")
    values: dict = {k: getattr(found, k) for k in keys}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        values = form_payload(clinic.SessionChange())
        try:
            clinic.update_session(found, dict(values), current_user, form_version())
        except (ValidationError, StaleVersionError) as exc:
            errors, status = _refused(exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".session_page", session_id=found.id))
    return render_template(
        "his/sessions_edit.html",
        session=found,
        values=values,
        errors=errors,
        types=list(type_labels().items()),
        describe=clinic.describe,
    ), status


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@login_required
def session_page(session_id: int):
    """A session for the desk: its slots and bookings; POST stops it with a reason."""
    require("his.booking.read")
    found = clinic.get_session(session_id)
    errors: dict = {}
    status = 200
    if request.method == "POST":
        require("his.schedule.write")
        try:
            cancelled = clinic.stop_session(
                found, form_payload(clinic.StopInput()), current_user, form_version()
            )
        except (ValidationError, StaleVersionError, ConflictError) as exc:
            errors, status = _refused(exc)
        else:
            flash(
                _(
                    "Clinic session stopped; %(num)d registrations cancelled and the desk asked "
                    "to call the patients.",
                    num=len(cancelled),
                ),
                "success",
            )
            return redirect(url_for(".session_page", session_id=found.id))
    stopped_bookings = list(
        db.session.scalars(
            select(Booking)
            .where(Booking.session_id == found.id, Booking.cancel_reason == clinic.STOPPED_REASON)
            .order_by(Booking.slot_no)
        )
    )
    shown = clinic.patients_shown([b.customer_id for b in stopped_bookings], current_user)
    return render_template(
        "his/sessions_detail.html",
        session=found,
        slots=clinic.slots(found, current_user),
        stopped_bookings=stopped_bookings,
        shown=shown,
        rebook=clinic.next_open_sessions(found.department_id, found.id)
        if found.status == "stopped"
        else [],
        free=clinic.free_counts([found])[found.id],
        periods=clinic.period_labels(),
        types=type_labels(),
        statuses=booking_status_labels(),
        describe=clinic.describe,
        errors=errors,
        may_stop=found.status == "open"
        and found.day >= today()
        and current_user.can("his.schedule.write"),
    ), status
