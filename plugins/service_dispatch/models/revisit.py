"""Revisits (回访): the customer's verdict on a finished work order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.api import TimestampMixin, UTCDateTime, db, translator, utcnow

_, _l = translator("service_dispatch")


class Revisit(TimestampMixin, db.Model):
    """The customer's verdict on a finished order (回访): a score of 1 to 5
    and a comment; a low score reopens or escalates the order."""

    __tablename__ = "service_dispatch_revisit"
    __label__ = _l("Revisit")  # how the audit log names it
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("service_dispatch_work_order.id"), unique=True
    )
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    #: ``none``, ``reopened`` or ``escalated``
    outcome: Mapped[str] = mapped_column(String(12), default="none")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
