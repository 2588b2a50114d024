"""The patients' voice: satisfaction surveys after a visit (满意度) and
complaints (投诉) with their handling.

A survey is sent once per closed visit, to a patient who agreed to service
SMS; its public link carries a token of which only the hash is kept. A
complaint moves open → in_progress → resolved → closed, and closing needs a
resolution."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Customer, TimestampMixin, User, UTCDateTime, VersionedMixin, db, translator

from .clinic import Department

_, _l = translator("his")

#: what a complaint is about
COMPLAINT_CATEGORIES = (
    "service_attitude",
    "waiting_time",
    "billing",
    "medical_care",
    "environment",
    "other",
)
#: how a complaint reached the hospital
COMPLAINT_CHANNELS = ("desk", "phone", "online", "letter", "survey")
COMPLAINT_STATES = ("open", "in_progress", "resolved", "closed")


class Survey(TimestampMixin, db.Model):
    """The satisfaction survey of one visit: sent, then answered once —
    CSAT 1–5, NPS 0–10 and a comment."""

    __tablename__ = "his_survey"
    __label__ = _l("Satisfaction survey")

    visit_id: Mapped[int] = mapped_column(ForeignKey("his_visit.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("his_department.id"), index=True)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: the department's core team: a doctor's and a nurse's scope
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the public link, kept for the desk to send while no message was sent; cleared once answered
    link: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    csat: Mapped[int | None] = mapped_column(Integer)
    nps: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)

    customer: Mapped[Customer] = relationship()
    department: Mapped[Department | None] = relationship()
    doctor: Mapped[User | None] = relationship()


class Complaint(TimestampMixin, VersionedMixin, db.Model):
    """A patient's complaint (投诉): what about, through which channel, who
    handles it and how it was resolved."""

    __tablename__ = "his_complaint"
    __label__ = _l("Complaint")

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("his_visit.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("his_department.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    resolution: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship()
    department: Mapped[Department | None] = relationship()
    handler: Mapped[User | None] = relationship()
