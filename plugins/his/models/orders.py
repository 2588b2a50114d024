"""The formulary and what a doctor orders in a visit: prescriptions (处方)
with their lines and the overrides of their warnings, and examination
orders (检查/检验) with their results.

The formulary (:class:`Drug`) is the catalogue only — stock by batch is the
pharmacy's. A prescription is written as a draft, signed (its charges go to
billing) or cancelled; a line keeps the price it was written at. A warning
(an allergy, a duplicate drug) blocks signing unless the doctor overrides it
with a reason: :class:`RxOverride` records who did, when and why."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import TimestampMixin, User, UTCDateTime, VersionedMixin, db, translator

_, _l = translator("his")

#: prescription category: prescription-only (处方药) or over the counter (非处方药)
DRUG_CATEGORIES = ("rx", "otc")
#: draft → signed → cancelled; draft → cancelled
PRESCRIPTION_STATES = ("draft", "signed", "cancelled")
#: what a warning is about
WARNING_KINDS = ("allergy", "duplicate")
#: examination kinds: lab (检验) or imaging (检查)
EXAM_KINDS = ("lab", "imaging")
#: ordered → resulted; ordered → cancelled
EXAM_STATES = ("ordered", "resulted", "cancelled")
#: how a result reads against its reference range
RESULT_FLAGS = ("normal", "low", "high", "abnormal", "critical")


class Drug(TimestampMixin, VersionedMixin, db.Model):
    """A drug of the formulary (药品目录): what a doctor may prescribe."""

    __tablename__ = "his_drug"
    __label__ = _l("Drug")  # how the audit log names it

    code: Mapped[str] = mapped_column(String(32), unique=True)
    generic_name: Mapped[str] = mapped_column(String(120), index=True)
    brand_name: Mapped[str | None] = mapped_column(String(120))
    name_zh: Mapped[str | None] = mapped_column(String(120))
    #: tablet, capsule, syrup, injection … (free words)
    form: Mapped[str] = mapped_column(String(40))
    strength: Mapped[str | None] = mapped_column(String(40))
    #: the unit a quantity counts (box, bottle, vial …)
    unit: Mapped[str] = mapped_column(String(20))
    pack_size: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3))
    category: Mapped[str] = mapped_column(String(3), default="rx")
    #: the class or ingredient an allergy may name (e.g. "penicillin")
    allergen_class: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Prescription(TimestampMixin, VersionedMixin, db.Model):
    """A prescription written in a visit for its patient."""

    __tablename__ = "his_prescription"
    __label__ = _l("Prescription")

    visit_id: Mapped[int] = mapped_column(ForeignKey("his_visit.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    note: Mapped[str | None] = mapped_column(String(500))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))

    doctor: Mapped[User | None] = relationship()
    lines: Mapped[list[PrescriptionLine]] = relationship(
        back_populates="prescription",
        order_by="PrescriptionLine.position",
        cascade="all, delete-orphan",
    )


class PrescriptionLine(TimestampMixin, db.Model):
    """One drug of a prescription: how much to take, how, how often, how long."""

    __tablename__ = "his_prescription_line"
    __label__ = _l("Prescription line")

    prescription_id: Mapped[int] = mapped_column(ForeignKey("his_prescription.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    drug_id: Mapped[int] = mapped_column(ForeignKey("his_drug.id"), index=True)
    dose: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    dose_unit: Mapped[str] = mapped_column(String(20))
    #: oral, iv, im, topical … (free words)
    route: Mapped[str] = mapped_column(String(20))
    #: qd, bid, tid, qid, prn … (free words)
    frequency: Mapped[str] = mapped_column(String(20))
    days: Mapped[int] = mapped_column(Integer)
    #: in the drug's unit
    quantity: Mapped[int] = mapped_column(Integer)
    #: the drug's price when the line was written
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    note: Mapped[str | None] = mapped_column(String(200))

    prescription: Mapped[Prescription] = relationship(back_populates="lines")
    drug: Mapped[Drug] = relationship()
    overrides: Mapped[list[RxOverride]] = relationship(
        back_populates="line", cascade="all, delete-orphan"
    )


class RxOverride(TimestampMixin, db.Model):
    """A doctor's recorded decision to sign despite a warning on a line."""

    __tablename__ = "his_rx_override"
    __label__ = _l("Warning override")

    line_id: Mapped[int] = mapped_column(ForeignKey("his_prescription_line.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    #: the warning as the doctor saw it
    warning: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(String(200))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    line: Mapped[PrescriptionLine] = relationship(back_populates="overrides")
    by: Mapped[User | None] = relationship()


class ExamOrder(TimestampMixin, VersionedMixin, db.Model):
    """A lab test (检验) or imaging study (检查) ordered in a visit, and its result."""

    __tablename__ = "his_exam_order"
    __label__ = _l("Examination order")

    visit_id: Mapped[int] = mapped_column(ForeignKey("his_visit.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    item_code: Mapped[str] = mapped_column(String(32))
    item_name: Mapped[str] = mapped_column(String(120))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default="ordered", index=True)
    note: Mapped[str | None] = mapped_column(String(200))
    ordered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    result_text: Mapped[str | None] = mapped_column(Text)
    result_value: Mapped[str | None] = mapped_column(String(40))
    result_unit: Mapped[str | None] = mapped_column(String(20))
    result_flag: Mapped[str | None] = mapped_column(String(10))
    resulted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resulted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
