"""Work orders (工单)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Customer, SoftDeleteMixin, TimestampMixin, User, UTCDateTime, VersionedMixin, db

#: the lifecycle; the state machine that moves between them comes with its issue
STATUSES = ("new", "assigned", "accepted", "on_the_way", "on_site", "completed", "closed",
            "declined", "cancelled", "reopened")
PRIORITIES = ("low", "normal", "high", "urgent")


class WorkOrder(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A service job for a customer, assigned to one engineer (工程师)."""

    __tablename__ = "service_dispatch_work_order"
    __table_args__ = (Index("ix_service_dispatch_work_order_engineer_status",
                            "engineer_id", "status"),)

    number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    category: Mapped[str | None] = mapped_column(String(60))
    description: Mapped[str | None] = mapped_column(Text)
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    customer: Mapped[Customer] = relationship()
    engineer: Mapped[User | None] = relationship()
