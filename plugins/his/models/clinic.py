"""The clinic: departments (科室) and the doctors' clinic sessions (出诊)
with their numbered slots (号源).

A department is a core team's clinical face: its staff are the team's
members, so core's team scope is the department scope. A clinic session is
one doctor's half-day in a department with a quota of numbered slots split
between the desk and online booking, and a fee for its registration type.
Stopping a session (停诊) keeps the row, with the reason."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Team, TimestampMixin, User, UTCDateTime, VersionedMixin, db, translator

_, _l = translator("his")

#: the parts of a day a doctor sees patients in
PERIODS = ("morning", "afternoon", "evening")
#: registration types (号别): a general or an expert (专家号) slot
REGISTRATION_TYPES = ("general", "expert")
SESSION_STATES = ("open", "stopped")


class Department(TimestampMixin, VersionedMixin, db.Model):
    """A clinical department; ``team_id`` is the core team of its staff."""

    __tablename__ = "his_department"
    __label__ = _l("Department")

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    team: Mapped[Team | None] = relationship()


class ClinicSession(TimestampMixin, VersionedMixin, db.Model):
    """A doctor's clinic session: department, day and period, the slots for
    the desk and for online booking, and the registration fee."""

    __tablename__ = "his_clinic_session"
    __label__ = _l("Clinic session")
    __table_args__ = (
        Index(  # one open session per doctor and half-day; a stopped one may be planned again
            "uq_his_clinic_session_doctor",
            *("doctor_id", "day", "period"),
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_his_clinic_session_department", "department_id", "day", "period"),
    )

    department_id: Mapped[int] = mapped_column(ForeignKey("his_department.id"))
    doctor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    day: Mapped[date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(10))
    registration_type: Mapped[str] = mapped_column(String(10), default="general")
    fee: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3))
    desk_quota: Mapped[int] = mapped_column(Integer)
    online_quota: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8), default="open")
    stop_reason: Mapped[str | None] = mapped_column(String(200))
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    department: Mapped[Department] = relationship()
    doctor: Mapped[User] = relationship(foreign_keys=[doctor_id])
