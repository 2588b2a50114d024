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

Who is asked: only someone who may read patients (``his.patient.read``),
and then for the visits and bookings only someone who takes care of
patients — :data:`CARE` (``his.care``), which the shipped doctor and nurse
roles hold and a manager, a registration clerk or a cashier do not; for the
grants only a holder of ``his.break_glass``. Everyone else gets ``None``,
so core leaves their customer queries as they were: a sales manager who may
also read patients does not pay for checks against the hospital's visits and
bookings on every customer list and search (bench/results.md, "customers in
care")."""

from __future__ import annotations

from sqlalchemy import Select, select

from core.api import DataScope, User, team_subtree

from ...models import Booking, ClinicSession, Department, Visit
from .glass import BREAK_GLASS, granted_customers

#: the permission of those who take care of patients (the clinical roles)
CARE = "his.care"


def customers_in_care(user: User) -> list[Select] | None:
    """The selects of the customer ids in ``user``'s care, one for each
    reason (None: nobody's). Apart, not one ``UNION``: for a look-up core
    checks each against the one customer (an ``EXISTS`` through
    ``ix_his_visit_customer_id`` / ``ix_his_booking_customer_id``), so it
    reads that patient's visits and bookings, not every patient of the
    department."""
    if not user.can("his.patient.read"):
        return None
    arms: list[Select] = []
    if user.can(CARE):
        arms.extend(_treated(user))
    if user.can(BREAK_GLASS):
        arms.append(granted_customers(user))
    return arms or None


def _treated(user: User) -> list[Select]:
    """The selects of the patients of ``user``'s visits and clinic sessions,
    and (team scope) of their department's visits and bookings."""
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
    return arms
