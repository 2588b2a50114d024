"""Inpatient care (住院), first slice: wards and their beds, admissions
(入院) with their deposits (预交金), transfers and discharge (出院).

A ward belongs to a department (its team is the admission's team, so core's
team scope is the ward nurse's and doctor's scope). A bed is ``free``,
``occupied`` (by ``admission_id``), ``reserved`` or ``cleaning``; it is
taken with one conditional UPDATE (``state = 'free'``), so two nurses
assigning one bed meet in the database. A patient has at most one open
admission (a partial unique index). The patient is a core customer."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Customer, TimestampMixin, User, UTCDateTime, VersionedMixin, db, translator

from .clinic import Department

_, _l = translator("his")

#: a bed's states; ``occupied`` only through an admission
BED_STATES = ("free", "occupied", "reserved", "cleaning")
#: an admission's states
ADMISSION_STATES = ("admitted", "discharged")
#: how a deposit (预交金) is paid
DEPOSIT_METHODS = ("cash", "card", "wechat", "alipay")


class Ward(TimestampMixin, VersionedMixin, db.Model):
    """A ward (病区) of a department."""

    __tablename__ = "his_ward"
    __label__ = _l("Ward")

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    department_id: Mapped[int] = mapped_column(ForeignKey("his_department.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    department: Mapped[Department] = relationship()
    beds: Mapped[list[Bed]] = relationship(back_populates="ward", order_by="Bed.code")


class Bed(TimestampMixin, VersionedMixin, db.Model):
    """A bed of a ward, its code unique in the ward."""

    __tablename__ = "his_bed"
    __label__ = _l("Bed")
    __table_args__ = (Index("uq_his_bed_code", "ward_id", "code", unique=True),)

    ward_id: Mapped[int] = mapped_column(ForeignKey("his_ward.id"))
    code: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10), default="free", server_default="free")
    #: the admission in it while ``occupied``
    admission_id: Mapped[int | None] = mapped_column(Integer, index=True)

    ward: Mapped[Ward] = relationship(back_populates="beds")


class Admission(TimestampMixin, VersionedMixin, db.Model):
    """One stay of a patient: admitted → discharged. ``doctor_id`` (the
    attending doctor) and ``team_id`` (the department's team) are what
    core's scope reads."""

    __tablename__ = "his_admission"
    __label__ = _l("Admission")
    __table_args__ = (
        Index(  # one open admission per patient
            "uq_his_admission_open",
            "customer_id",
            unique=True,
            sqlite_where=text("status = 'admitted'"),
            postgresql_where=text("status = 'admitted'"),
        ),
        Index("ix_his_admission_ward", "ward_id", "status"),
    )

    number: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("his_visit.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("his_department.id"), index=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("his_ward.id"))
    bed_id: Mapped[int | None] = mapped_column(ForeignKey("his_bed.id"))
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="admitted")
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: ICD-10 code and its description (the admitting diagnosis, 入院诊断)
    diagnosis_code: Mapped[str] = mapped_column(String(10))
    diagnosis_name: Mapped[str] = mapped_column(String(300))
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discharged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    discharge_code: Mapped[str | None] = mapped_column(String(10))
    discharge_name: Mapped[str | None] = mapped_column(String(300))
    discharge_note: Mapped[str | None] = mapped_column(Text)
    #: the post-discharge follow-up plan (随访) discharge started
    followup_plan_id: Mapped[int | None] = mapped_column(ForeignKey("his_followup_plan.id"))

    customer: Mapped[Customer] = relationship()
    department: Mapped[Department] = relationship()
    ward: Mapped[Ward] = relationship()
    bed: Mapped[Bed | None] = relationship(foreign_keys=[bed_id])
    doctor: Mapped[User | None] = relationship(foreign_keys=[doctor_id])


class Deposit(TimestampMixin, db.Model):
    """A deposit (预交金) paid towards an admission, audited; settled at
    discharge settlement (a later slice)."""

    __tablename__ = "his_deposit"
    __label__ = _l("Deposit")

    admission_id: Mapped[int] = mapped_column(ForeignKey("his_admission.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(10))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
