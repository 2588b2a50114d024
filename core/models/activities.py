"""The timeline (跟进记录): every interaction with a customer, and tasks.

A task (跟进任务) is an activity with ``due_at``; it is open until ``done_at``
is set. Contact attempts on a task are activities whose ``task_id`` points at
it. ``link_type``/``link_id`` tie an activity to any plugin record (a deal, a
work order, a policy, a visit), so one timeline shows everything.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import Model
from core.models.base import SoftDeleteMixin, TimestampMixin, UTCDateTime, VersionedMixin
from core.models.customers import Contact, Customer
from core.models.users import User

#: The kinds core knows; plugins add theirs through ``trellis_activity_kinds``.
CORE_ACTIVITY_KINDS = ("call", "email", "meeting", "visit", "sms", "wechat", "note", "task")


class Activity(TimestampMixin, VersionedMixin, SoftDeleteMixin, Model):
    """One entry of a customer's timeline: a call, e-mail, visit, note … of an
    activity ``kind`` (core's or a plugin's ``ActivityKind``), or, with
    ``due_at``, a task that is open until ``done_at`` is set. ``task_id`` marks
    a contact attempt on a task; ``link_type``/``link_id`` point at the plugin
    record it is about (a deal, a work order). Write it through
    ``log_activity``, ``record_attempt`` and ``complete_task``."""

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_customer_occurred", "customer_id", "occurred_at"),
        Index("ix_activity_owner_due", "owner_id", "done_at", "due_at"),
        Index("ix_activity_link", "link_type", "link_id"),
        UniqueConstraint("plan_id", "dedupe_key"),
    )

    kind: Mapped[str] = mapped_column(String(32), index=True)
    direction: Mapped[str | None] = mapped_column(String(8))  # "in" | "out"
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))  # of a contact attempt
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"), index=True)
    link_type: Mapped[str | None] = mapped_column(String(64))
    link_id: Mapped[int | None] = mapped_column()
    #: set on tasks created by a follow-up plan; (plan_id, dedupe_key) is
    #: unique, which is what makes ``trellis jobs run-due`` idempotent.
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("followup_plan.id"), index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(120))

    customer: Mapped[Customer | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    owner: Mapped[User | None] = relationship()

    @property
    def is_task(self) -> bool:
        return self.due_at is not None

    @property
    def is_open(self) -> bool:
        return self.due_at is not None and self.done_at is None
