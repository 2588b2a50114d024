"""Visits for the visit tests: a called registration of today in a
session of the clinic of :mod:`.booking_fixtures` (Dr Li's cardiology one
unless told), and a visit started from it through the service."""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import Customer, db
from plugins.his.models import Booking, Visit
from plugins.his.services import visits

from .booking_fixtures import booked


def called(
    clinic,
    name: str = "Wang Xiaoying",
    doctor=None,
    department=None,
    period: str = "morning",
    patient: Customer | None = None,
) -> Booking:
    session = clinic.session(day=clinic.today, doctor=doctor, department=department, period=period)
    top = db.session.scalar(
        select(func.max(Booking.queue_no)).where(
            Booking.department_id == session.department_id, Booking.day == session.day
        )
    )
    patient = patient or clinic.patient(name)
    return booked(clinic, session, patient, status="called", queue_no=(top or 0) + 1)


def started(clinic, name: str = "Wang Xiaoying", doctor=None, department=None) -> Visit:
    booking = called(clinic, name, doctor=doctor, department=department)
    visit, _ = visits.start_visit({"booking_id": booking.id}, doctor or clinic.li)
    return visit
