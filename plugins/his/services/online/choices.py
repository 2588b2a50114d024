"""What the public page offers: active departments, the days ahead with a
free online slot, and the open sessions of a day with their free online
slots (a stopped or past session, or one without online slots, is none)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.api import NotFoundError, db, translator

from ...models import ClinicSession, Department
from ..bookings.rules import local_today
from ..clinic import free_counts, sessions_query

_, _l = translator("his")

#: how many days ahead, today included, online booking opens
DAYS_AHEAD = 14


def online_departments() -> list[Department]:
    query = select(Department).where(Department.active.is_(True))
    return list(db.session.scalars(query.order_by(Department.sort_order, Department.name)))


def online_department(department_id: int) -> Department:
    department = db.session.get(Department, department_id)
    if department is None or not department.active:
        raise NotFoundError(_("No such department."))
    return department


def _open_sessions(department_id: int, first: date, last: date) -> list[ClinicSession]:
    query = sessions_query(department_id, day_from=first, day_to=last).where(
        ClinicSession.status == "open", ClinicSession.online_quota > 0
    )
    sessions = list(db.session.scalars(query))
    free = free_counts(sessions)
    return [s for s in sessions if free[s.id].online > 0]


def online_days(department_id: int) -> list[date]:
    """The days from today with a session of free online slots."""
    today = local_today()
    last = today + timedelta(days=DAYS_AHEAD - 1)
    return sorted({s.day for s in _open_sessions(department_id, today, last)})


def online_sessions(department_id: int, day: date) -> list[tuple[ClinicSession, int]]:
    """The day's open sessions with free online slots, and how many."""
    today = local_today()
    if not today <= day < today + timedelta(days=DAYS_AHEAD):
        return []
    sessions = _open_sessions(department_id, day, day)
    free = free_counts(sessions)
    return [(s, free[s.id].online) for s in sessions]


def online_session(session_id: int) -> ClinicSession:
    """A session the public page may show (of an active department); 404 otherwise."""
    session = db.session.get(ClinicSession, session_id)
    if session is None or not session.department.active:
        raise NotFoundError(_("No such clinic session."))
    return session
