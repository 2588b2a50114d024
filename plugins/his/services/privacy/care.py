"""Who has a patient in their care, beyond their role's scope.

A doctor's and a nurse's scope is their department's team, so they see the
patients owned by it. A patient of another department is in their care —
and so visible to them, through core's ``scoped`` (the
``trellis_customers_in_care`` hook) — when:

- they saw, or are seeing, the patient: a visit whose doctor they are;
- the patient came to their department: a visit in their team, or a live
  (not cancelled) booking in a department whose team is theirs or with a
  clinic session of theirs;
- they broke the glass for the patient, until the grant expires.

Only users who may read patients are asked about; the others get nothing."""

from __future__ import annotations

from sqlalchemy import Select, select, union

from core.api import DataScope, User, team_subtree

from ...models import Booking, ClinicSession, Department, Visit
from .glass import granted_customers


def customers_in_care(user: User) -> Select | None:
    """A select of the customer ids in ``user``'s care (None: nobody's)."""
    if not user.can("his.patient.read"):
        return None
    live = Booking.status != "cancelled"
    arms = [
        select(Visit.customer_id).where(Visit.doctor_id == user.id, Visit.deleted_at.is_(None)),
        select(Booking.customer_id)
        .join(ClinicSession, ClinicSession.id == Booking.session_id)
        .where(ClinicSession.doctor_id == user.id, live),
    ]
    if user.role is not None and user.role.scope == DataScope.team and user.team_id is not None:
        teams = team_subtree(user.team_id)
        arms.append(
            select(Visit.customer_id).where(Visit.team_id.in_(teams), Visit.deleted_at.is_(None))
        )
        arms.append(
            select(Booking.customer_id)
            .join(Department, Department.id == Booking.department_id)
            .where(Department.team_id.in_(teams), live)
        )
    if user.can("his.break_glass"):
        arms.append(granted_customers(user))
    return select(union(*arms).subquery().c[0])
