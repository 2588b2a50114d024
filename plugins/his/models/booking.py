"""Bookings (挂号) of patients into clinic sessions, and the waitlist.

A booking holds one numbered slot of a session: taken at the desk or online,
checked in on the day (which gives the department's queue number), called by
the doctor, seen; or cancelled (the slot is free again, the waitlist's first
takes it), or a no-show. The database keeps the promises that two clerks
racing could break: one live booking per slot, one per patient, department
and day, one queue number per department and day."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Customer, TimestampMixin, User, UTCDateTime, VersionedMixin, db, translator

from .clinic import ClinicSession

_, _l = translator("his")

BOOKING_CHANNELS = ("desk", "online")
#: booked → checked_in → called → seen; booked → cancelled | no_show
BOOKING_STATES = ("booked", "checked_in", "called", "seen", "cancelled", "no_show")
_HELD = "status <> 'cancelled'"


def _partial(condition: str) -> dict:
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


class Booking(TimestampMixin, VersionedMixin, db.Model):
    """A patient's booking of a slot; ``department_id`` and ``day`` are the
    session's, kept here for the one-per-day rule and the day's lists."""

    __tablename__ = "his_booking"
    __label__ = _l("Registration")  # 挂号 (GLOSSARY)
    __table_args__ = (
        Index("uq_his_booking_slot", "session_id", "slot_no", unique=True, **_partial(_HELD)),
        Index(
            "uq_his_booking_patient_day",
            "customer_id",
            "department_id",
            "day",
            unique=True,
            **_partial(_HELD),
        ),
        Index(
            "uq_his_booking_queue",
            "department_id",
            "day",
            "queue_no",
            unique=True,
            **_partial("queue_no IS NOT NULL"),
        ),
        Index("ix_his_booking_day", "department_id", "day", "status"),
        # a period's bookings across departments (reports, today's registrations)
        Index("ix_his_booking_day_department", "day", "department_id", "status"),
    )

    session_id: Mapped[int] = mapped_column(ForeignKey("his_clinic_session.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("his_department.id"))
    day: Mapped[date] = mapped_column(Date)
    slot_no: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(10), default="booked")
    number: Mapped[str] = mapped_column(String(24), unique=True)
    fee: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3))
    queue_no: Mapped[int | None] = mapped_column(Integer)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    session: Mapped[ClinicSession] = relationship()
    customer: Mapped[Customer] = relationship()
    booked_by: Mapped[User | None] = relationship()


class WaitlistEntry(TimestampMixin, db.Model):
    """A patient waiting for a slot of a full session; the first waiting
    takes a cancelled slot (``booking_id`` then names the booking)."""

    __tablename__ = "his_waitlist_entry"
    __table_args__ = (
        Index("ix_his_waitlist_session", "session_id", "status", "id"),
        Index(
            "uq_his_waitlist_patient",
            "session_id",
            "customer_id",
            unique=True,
            **_partial("status = 'waiting'"),
        ),
    )

    session_id: Mapped[int] = mapped_column(ForeignKey("his_clinic_session.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    channel: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("his_booking.id"))
    #: why an entry ``ended`` without a slot (its session was stopped: the reason)
    end_reason: Mapped[str | None] = mapped_column(String(200))

    customer: Mapped[Customer] = relationship()
