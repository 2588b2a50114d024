"""Patients (患者): "a person first, then a patient". A patient is a core
customer of kind person — name, phones, address, owner and team, timeline,
follow-ups, merge and audit are the customer's — and this row is the medical
record beside it: the medical record number (病历号), sex and birth date, the
national ID, the guardian of a minor, the emergency contact, allergies,
chronic conditions and death.

The national ID is personal data: kept encrypted with a look-up hash (core's
``Encrypted`` / ``lookup_column``), its last four characters plain for lists,
shown masked without ``his.patient.pii``."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Customer,
    Encrypted,
    TimestampMixin,
    VersionedMixin,
    db,
    lookup_column,
    translator,
)

_, _l = translator("his")

#: recorded sex: male, female, unknown (未知的性别)
SEXES = ("M", "F", "U")
#: kinds of identity document (the insurance plugin uses the same words)
ID_TYPES = ("cn_ric", "passport", "other")


class Patient(TimestampMixin, VersionedMixin, db.Model):
    """The medical record of one customer of kind person (one per customer)."""

    __tablename__ = "his_patient"
    __label__ = _l("Patient")  # how the audit log names it

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), unique=True)
    mrn: Mapped[str] = mapped_column(String(20), unique=True)
    sex: Mapped[str] = mapped_column(String(1), default="U")
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_type: Mapped[str | None] = mapped_column(String(8))
    national_id: Mapped[str | None] = mapped_column(Encrypted())
    national_id_lookup: Mapped[str | None] = lookup_column("national_id", unique=True)
    national_id_tail: Mapped[str | None] = mapped_column(String(4))
    #: the guardian (监护人) of a minor
    guardian_name: Mapped[str | None] = mapped_column(String(120))
    guardian_relation: Mapped[str | None] = mapped_column(String(40))
    guardian_phone: Mapped[str | None] = mapped_column(String(40))
    emergency_name: Mapped[str | None] = mapped_column(String(120))
    emergency_relation: Mapped[str | None] = mapped_column(String(40))
    emergency_phone: Mapped[str | None] = mapped_column(String(40))
    #: what the patient is allergic to (drug names or classes, free words)
    allergies: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: chronic conditions (ICD-10 codes or words)
    chronic_conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: a deceased patient gets no follow-up and no marketing
    deceased: Mapped[bool] = mapped_column(Boolean, default=False)
    deceased_on: Mapped[date | None] = mapped_column(Date)
    #: online booking suspended until this day (after too many no-shows)
    online_booking_suspended_until: Mapped[date | None] = mapped_column(Date)

    customer: Mapped[Customer] = relationship()
