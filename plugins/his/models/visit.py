"""Visits (就诊). The patient is a core customer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Customer,
    SoftDeleteMixin,
    TimestampMixin,
    User,
    UTCDateTime,
    VersionedMixin,
    db,
    translator,
)

_, _l = translator("his")

#: a visit's states
VISIT_STATES = ("open", "closed")


class Visit(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """One encounter of a patient with a doctor in a department (科室)."""

    __tablename__ = "his_visit"
    __label__ = _l("Visit")  # how the audit log names it

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    department: Mapped[str] = mapped_column(String(80))
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    #: the doctor wants to see the patient again this many days later (随访)
    follow_up_days: Mapped[int | None] = mapped_column(Integer)

    #: the registration it came from (none for a visit recorded by hand)
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("his_booking.id"), unique=True, index=True
    )
    department_id: Mapped[int | None] = mapped_column(ForeignKey("his_department.id"), index=True)
    #: ``open`` while the doctor writes it, ``closed`` once signed off: then
    #: only an amendment with a reason changes it
    status: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    chief_complaint: Mapped[str | None] = mapped_column(Text)
    history: Mapped[str | None] = mapped_column(Text)
    examination: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    customer: Mapped[Customer] = relationship()
    doctor: Mapped[User | None] = relationship(foreign_keys=[doctor_id])
