"""Clinic sessions (出诊) and their numbered slots (号源): plan one, plan a
week template for several weeks, edit, and what is free.

A session is one doctor's period of a day in a department: the doctor must
be a doctor of the department's team, the day today or later, and a doctor
has one session a day and period (a unique index: two planners racing get
the same 409 naming ``doctor_id``). Its slots are numbered: 1..desk_quota
are the desk's, desk_quota+1..desk_quota+online_quota online booking's; a
booking holds its slot until it is cancelled, so an edit may never take a
held slot out of its channel (409 naming the quota)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from core.api import (
    Customer,
    NotFoundError,
    User,
    audit,
    check_version,
    db,
    instance_currency,
    load,
    refuse,
    save,
    snapshot,
    transaction,
    translator,
    visible_customer_ids,
)

from ...models import PERIODS, Booking, ClinicSession, Department
from ..patients import today
from .departments import doctors
from .inputs import SessionChange, SessionInput, TemplateInput

_, _l = translator("his")

Errors = dict[str, list[str]]
#: a held slot: every booking but a cancelled one (the slot index's condition)
HELD = Booking.status != "cancelled"
#: periods in the order of the day, for sorting in SQL
PERIOD_ORDER = case({p: i for i, p in enumerate(PERIODS)}, value=ClinicSession.period)


def _taken_message() -> str:
    return _("this doctor already has a session on this day and period")


def _check_place(data: dict) -> tuple[Errors, Errors]:
    """(invalid, missing) for the department, the doctor and the day."""
    invalid: Errors = {}
    missing: Errors = {}
    department = db.session.get(Department, data["department_id"])
    if department is None:
        missing["department_id"] = [_("no department with this id")]
    elif not department.active:
        invalid["department_id"] = [_("this department is deactivated")]
    elif data["doctor_id"] not in {u.id for u in doctors(department)}:
        invalid["doctor_id"] = [_("not a doctor of this department")]
    day_field = "start" if "start" in data else "day"
    if data[day_field] < today():
        invalid[day_field] = [_("the day cannot be in the past")]
    return invalid, missing


def _doctor_busy(doctor_id: int, day: date, period: str) -> bool:
    return bool(
        db.session.scalar(
            select(func.count()).where(
                ClinicSession.doctor_id == doctor_id,
                ClinicSession.day == day,
                ClinicSession.period == period,
                ClinicSession.status == "open",  # a stopped session may be planned again
            )
        )
    )


def _new_session(data: dict, actor: User | None) -> ClinicSession:
    session = ClinicSession(currency=instance_currency(), status="open", **data)
    db.session.add(session)
    db.session.flush()
    audit(actor, session, "create", None, snapshot(session))
    return session


def plan_session(payload: dict, actor: User | None) -> ClinicSession:
    """Plan one session (``his.schedule.write``)."""
    data = load(SessionInput(), payload)
    invalid, missing = _check_place(data)
    taken: Errors = {}
    if not invalid and not missing and _doctor_busy(data["doctor_id"], data["day"], data["period"]):
        taken["doctor_id"] = [_taken_message()]
    refuse(invalid, missing=missing, taken=taken)
    try:
        with transaction():
            return _new_session(data, actor)
    except IntegrityError:  # another planner took it meanwhile
        refuse(taken={"doctor_id": [_taken_message()]})
        raise


@dataclass
class Planned:
    """What a week template made, and how many it skipped (the doctor had one)."""

    sessions: list[ClinicSession]
    skipped: int


def plan_template(payload: dict, actor: User | None) -> Planned:
    """Plan the same doctor, periods and weekdays for ``weeks`` weeks from
    ``start``; a day and period the doctor already has is skipped."""
    data = load(TemplateInput(), payload)
    invalid, missing = _check_place(data)
    refuse(invalid, missing=missing)
    first: date = data["start"]
    weekdays, periods = set(data["weekdays"]), [p for p in PERIODS if p in data["periods"]]
    days = [first + timedelta(days=n) for n in range(7 * data["weeks"])]
    common = {
        k: data[k]
        for k in ("department_id", "doctor_id", "registration_type", "fee")
        + ("desk_quota", "online_quota")
    }
    made: list[ClinicSession] = []
    skipped = 0
    try:
        with transaction():
            for day in days:
                if day.isoweekday() not in weekdays:
                    continue
                for period in periods:
                    if _doctor_busy(data["doctor_id"], day, period):
                        skipped += 1
                        continue
                    made.append(_new_session({**common, "day": day, "period": period}, actor))
    except IntegrityError:
        refuse(taken={"doctor_id": [_taken_message()]})
        raise
    return Planned(made, skipped)


def held_slots(session: ClinicSession) -> list[tuple[int, str]]:
    """``(slot_no, channel)`` of the session's held slots."""
    rows = db.session.execute(
        select(Booking.slot_no, Booking.channel).where(Booking.session_id == session.id, HELD)
    )
    return [(slot, channel) for slot, channel in rows]


def channel_of(slot_no: int, desk_quota: int, online_quota: int) -> str | None:
    """Which channel's slot ``slot_no`` is under these quotas (None: none)."""
    if 1 <= slot_no <= desk_quota:
        return "desk"
    if desk_quota < slot_no <= desk_quota + online_quota:
        return "online"
    return None


def update_session(
    session: ClinicSession, payload: dict, actor: User | None, expected_version: int | None = None
) -> ClinicSession:
    """Change the type, fee or quotas of an open session; no held slot may
    leave its channel (409 naming the quota that would take it)."""
    data = load(SessionChange(), payload)
    if session.status != "open":
        refuse(state={"status": [_("a stopped session cannot be changed")]})
    desk = data.get("desk_quota", session.desk_quota)
    online = data.get("online_quota", session.online_quota)
    state: Errors = {}
    for slot, channel in held_slots(session):
        if channel_of(slot, desk, online) != channel:
            shifted = channel == "desk" or desk != session.desk_quota
            field = "desk_quota" if shifted else "online_quota"
            state[field] = [_("slots already booked would fall outside the quota")]
    refuse(state=state)
    check_version(session, expected_version)
    return save(ClinicSession, session, data, actor)


@dataclass
class Free:
    """A session's free slots by channel."""

    desk: int
    online: int


def free_counts(sessions: list[ClinicSession]) -> dict[int, Free]:
    """The free desk and online slots of each session (one query); a
    stopped session has none."""
    ids = [s.id for s in sessions]
    held: dict[tuple[int, str], int] = {}
    if ids:
        rows = db.session.execute(
            select(Booking.session_id, Booking.channel, func.count())
            .where(Booking.session_id.in_(ids), HELD)
            .group_by(Booking.session_id, Booking.channel)
        )
        held = {(sid, channel): n for sid, channel, n in rows}
    return {
        s.id: Free(0, 0)
        if s.status != "open"
        else Free(
            max(0, s.desk_quota - held.get((s.id, "desk"), 0)),
            max(0, s.online_quota - held.get((s.id, "online"), 0)),
        )
        for s in sessions
    }


@dataclass
class Slot:
    """One numbered slot: its channel, the booking holding it, and whether
    the viewer may see that booking's patient (else it only shows taken)."""

    number: int
    channel: str
    booking: Booking | None
    shown: bool = False

    @property
    def free(self) -> bool:
        return self.booking is None


def patients_shown(customer_ids: list[int], viewer: User | None) -> set[int]:
    """Which of these patients (customers) ``viewer`` may see."""
    if not customer_ids:
        return set()
    query = visible_customer_ids(viewer).where(Customer.id.in_(customer_ids))
    return set(db.session.scalars(query))


def slots(session: ClinicSession, viewer: User | None) -> list[Slot]:
    """Every numbered slot of the session, with its held booking; the
    booking's patient shown only when in ``viewer``'s scope."""
    held = {
        b.slot_no: b
        for b in db.session.scalars(select(Booking).where(Booking.session_id == session.id, HELD))
    }
    shown = patients_shown([b.customer_id for b in held.values()], viewer)
    total = session.desk_quota + session.online_quota
    return [
        Slot(
            n,
            channel_of(n, session.desk_quota, session.online_quota) or "",
            held.get(n),
            n in held and held[n].customer_id in shown,
        )
        for n in range(1, total + 1)
    ]


def sessions_query(
    department_id: int | None = None,
    doctor_id: int | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
):
    """Sessions by day and period, filtered."""
    query = select(ClinicSession)
    if department_id is not None:
        query = query.where(ClinicSession.department_id == department_id)
    if doctor_id is not None:
        query = query.where(ClinicSession.doctor_id == doctor_id)
    if day_from is not None:
        query = query.where(ClinicSession.day >= day_from)
    if day_to is not None:
        query = query.where(ClinicSession.day <= day_to)
    return query.order_by(ClinicSession.day, PERIOD_ORDER, ClinicSession.id)


def get_session(session_id: int) -> ClinicSession:
    found = db.session.get(ClinicSession, session_id)
    if found is None:
        raise NotFoundError(_("Clinic session %(id)s not found", id=session_id))
    return found
