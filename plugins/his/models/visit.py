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

    customer: Mapped[Customer] = relationship()
    doctor: Mapped[User | None] = relationship()
