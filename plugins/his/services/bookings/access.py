"""Who sees which bookings: everyone whose role sees all (the desk, the
cashier, a manager) every booking; a doctor or nurse (team scope) the
bookings of their department — its core team and the teams below it — and
of the sessions they run themselves; anyone else only their own sessions'.
A booking out of scope is a 404, the same as none."""

from __future__ import annotations

from sqlalchemy import Select, false, select

from core.api import DataScope, NotFoundError, User, db, sees_all, team_subtree, translator

from ...models import Booking, ClinicSession, Department

_, _l = translator("his")


def visible_department_ids(user: User | None) -> Select | None:
    """A select of the departments ``user`` sees all bookings of; None: every one."""
    if sees_all(user):
        return None
    if user is None or not user.is_active or user.role is None:
        return select(Department.id).where(false())
    if user.role.scope == DataScope.team and user.team_id is not None:
        return select(Department.id).where(Department.team_id.in_(team_subtree(user.team_id)))
    return select(Department.id).where(false())


def visible_bookings(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: every booking) restricted to what ``user`` sees."""
    query = select(Booking) if query is None else query
    departments = visible_department_ids(user)
    if departments is None:
        return query
    own = select(ClinicSession.id).where(ClinicSession.doctor_id == (user.id if user else -1))
    return query.where(Booking.department_id.in_(departments) | Booking.session_id.in_(own))


def visible_booking(booking_id: int, user: User | None) -> Booking:
    found = db.session.scalar(visible_bookings(user).where(Booking.id == booking_id))
    if found is None:
        raise NotFoundError(_("registration %(id)s not found", id=booking_id))
    return found


def can_see_department(department_id: int, user: User | None) -> bool:
    departments = visible_department_ids(user)
    if departments is None:
        return True
    if db.session.scalar(departments.where(Department.id == department_id)) is not None:
        return True
    return (
        db.session.scalar(
            select(ClinicSession.id).where(
                ClinicSession.department_id == department_id,
                ClinicSession.doctor_id == (user.id if user else -1),
            )
        )
        is not None
    )


def visible_department(department_id: int, user: User | None) -> Department:
    department = db.session.get(Department, department_id)
    if department is None or not can_see_department(department_id, user):
        raise NotFoundError(_("department %(id)s not found", id=department_id))
    return department
