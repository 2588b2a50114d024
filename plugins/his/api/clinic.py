"""``/api/v1/his/departments`` and ``/api/v1/his/sessions``: the clinic —
departments (科室) with their staff, the doctors' clinic sessions (出诊)
with their free slots, planning, a week template, stopping (停诊), and a
session's numbered slots (号源).

Reading needs ``his.booking.read``; departments are written with
``his.admin``, sessions with ``his.schedule.write``. A session's slots are
listed for any signed-in user, free or taken — the bookings holding them
(number, status, patient) only for a holder of ``his.booking.read`` whose
scope holds the patient (a doctor sees their department's patients).
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy.orm import joinedload

from core.api import (
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
)

from ..models import ClinicSession, Department
from ..schemas.clinic import (
    HisDepartmentArgs,
    HisDepartmentDetailOut,
    HisDepartmentOut,
    HisPlannedOut,
    HisSessionArgs,
    HisSessionOut,
    HisSlotOut,
    HisStoppedOut,
)
from ..services import clinic
from .blueprint import bp

DEPARTMENT_SORTS = {
    "sort_order": Department.sort_order,
    "code": Department.code,
    "name": Department.name,
}
SESSION_SORTS = {"day": ClinicSession.day, "id": ClinicSession.id}
_DEPARTMENT = (
    ("code", "team_id"),
    "code is unique; team_id names a core team no other department holds "
    "(left out: a team of the department's name)",
)
_PLACE = (
    ("department_id", "doctor_id", "day"),
    "an active department; doctor_id a doctor (role his_doctor) of its team; day today or later",
)
_ONE = (("doctor_id",), "one session per doctor, day and period (409)")
_TEMPLATE = (
    ("department_id", "doctor_id", "start"),
    "an active department; doctor_id a doctor (role his_doctor) of its team; start today or later",
)
_KEEP_TEAM = (("team_id",), "a department keeps a team: null is refused")
_STOP = (("day",), "a session of a past day cannot be stopped (409); a stopped one: 409")
_QUOTAS = (
    ("desk_quota", "online_quota"),
    "slots 1..desk_quota are the desk's, the next online_quota online; "
    "no booked slot may leave its channel (409)",
)


class _WithFree:
    """A session with its free slots by channel."""

    def __init__(self, session: ClinicSession, free: clinic.Free):
        self._session = session
        self.free_desk, self.free_online = free.desk, free.online

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _with_free(sessions: list[ClinicSession]) -> list[_WithFree]:
    free = clinic.free_counts(sessions)
    return [_WithFree(s, free[s.id]) for s in sessions]


@bp.route("/departments", methods=["GET"])
@bp.arguments(sorted_by(HisDepartmentArgs, DEPARTMENT_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisDepartmentOut, "HisDepartmentPage"))
def list_departments(args):
    """Departments in their order; ``active`` filters, ``q`` finds by code or name."""
    require("his.booking.read")
    query = clinic.departments_query()
    if args.get("active") is not None:
        query = query.where(Department.active.is_(args["active"]))
    if args.get("q"):
        like = f"%{args['q'].strip()}%"
        query = query.where(Department.name.ilike(like) | Department.code.ilike(like))
    return paginate(query, args, DEPARTMENT_SORTS, "sort_order")


@bp.route("/departments", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": clinic.DepartmentInput}}},
    **field_rules(_DEPARTMENT),
)
@bp.response(201, HisDepartmentDetailOut)
def create_department():
    """Create a department (``his.admin``); a code another holds is a 409 naming ``code``."""
    require("his.admin")
    return clinic.create_department(json_body(), current_user)


@bp.route("/departments/<int:department_id>", methods=["GET"])
@bp.response(200, HisDepartmentDetailOut)
def get_department(department_id: int):
    """A department with its doctors and nurses (its team's members holding those roles)."""
    require("his.booking.read")
    return clinic.get_department(department_id)


@bp.route("/departments/<int:department_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": clinic.DepartmentChange}}},
    **field_rules(_DEPARTMENT, _KEEP_TEAM),
)
@bp.response(200, HisDepartmentDetailOut)
def update_department(department_id: int):
    """Edit or deactivate (``active: false``) a department (``version``: 409 when stale)."""
    require("his.admin")
    department = clinic.get_department(department_id)
    payload = json_body()
    version = expected_version(payload)
    return clinic.update_department(department, payload, current_user, version)


@bp.route("/sessions", methods=["GET"])
@bp.arguments(sorted_by(HisSessionArgs, SESSION_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisSessionOut, "HisSessionPage"))
def list_sessions(args):
    """Sessions by day and period, by department, doctor, days and status,
    each with its free desk and online slots."""
    require("his.booking.read")
    query = clinic.sessions_query(
        args.get("department_id"), args.get("doctor_id"), args.get("day_from"), args.get("day_to")
    ).options(joinedload(ClinicSession.doctor))
    if args.get("status"):
        query = query.where(ClinicSession.status == args["status"])
    found = paginate(query, args, SESSION_SORTS, "day")
    return found | {"items": _with_free(list(found["items"]))}


@bp.route("/sessions", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": clinic.SessionInput}}},
    **field_rules(_PLACE, _ONE),
)
@bp.response(201, HisSessionOut)
def create_session():
    """Plan a clinic session (``his.schedule.write``)."""
    require("his.schedule.write")
    return _with_free([clinic.plan_session(json_body(), current_user)])[0]


@bp.route("/sessions/template", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": clinic.TemplateInput}}},
    **field_rules(_TEMPLATE, _ONE),
)
@bp.response(201, HisPlannedOut)
def plan_template():
    """Plan a week template: the doctor's ``periods`` on ``weekdays`` for
    ``weeks`` weeks from ``start``; a day and period the doctor already has
    is skipped and counted."""
    require("his.schedule.write")
    planned = clinic.plan_template(json_body(), current_user)
    items = _with_free(planned.sessions)
    return {"created": len(items), "skipped": planned.skipped, "items": items}


@bp.route("/sessions/<int:session_id>", methods=["GET"])
@bp.response(200, HisSessionOut)
def get_session(session_id: int):
    """A clinic session with its free slots."""
    require("his.booking.read")
    return _with_free([clinic.get_session(session_id)])[0]


@bp.route("/sessions/<int:session_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": clinic.SessionChange}}},
    **field_rules(_QUOTAS),
)
@bp.response(200, HisSessionOut)
def update_session(session_id: int):
    """Change an open session's type, fee or quotas (``version``: 409 when stale)."""
    require("his.schedule.write")
    session = clinic.get_session(session_id)
    payload = json_body()
    version = expected_version(payload)
    return _with_free([clinic.update_session(session, payload, current_user, version)])[0]


@bp.route("/sessions/<int:session_id>/stop", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": clinic.StopInput}}},
    **field_rules(_STOP),
)
@bp.response(200, HisStoppedOut)
def stop_session(session_id: int):
    """Stop a session (停诊) with a ``reason``: its live bookings are
    cancelled ("session stopped"), each patient gets a timeline entry and
    the desk a task to call them to rebook. A stopped one: 409."""
    require("his.schedule.write")
    session = clinic.get_session(session_id)
    payload = json_body()
    version = expected_version(payload)
    cancelled = clinic.stop_session(session, payload, current_user, version)
    return {"session": _with_free([session])[0], "cancelled": len(cancelled)}


@bp.route("/sessions/<int:session_id>/rebook-options", methods=["GET"])
@bp.response(200, HisSessionOut(many=True))
def rebook_options(session_id: int):
    """Where the patients of a session may rebook: the department's next
    open sessions from today with a free slot (what a stopped session's
    bookings are offered)."""
    require("his.booking.read")
    session = clinic.get_session(session_id)
    return _with_free(clinic.next_open_sessions(session.department_id, session.id))


@bp.route("/sessions/<int:session_id>/slots", methods=["GET"])
@bp.response(200, HisSlotOut(many=True))
def session_slots(session_id: int):
    """The session's numbered slots (号源), each with its channel and whether
    it is free; the holding booking only for ``his.booking.read`` and a
    patient in the caller's scope."""
    session = clinic.get_session(session_id)
    shown = current_user.can("his.booking.read")
    return [
        {
            "number": slot.number,
            "channel": slot.channel,
            "free": slot.free,
            "booking": _booking(slot) if shown and slot.shown else None,
        }
        for slot in clinic.slots(session, current_user)
    ]


def _booking(slot: clinic.Slot) -> dict:
    booking = slot.booking
    assert booking is not None
    return {
        "id": booking.id,
        "number": booking.number,
        "status": booking.status,
        "customer_id": booking.customer_id,
        "patient": booking.customer.name,
    }
