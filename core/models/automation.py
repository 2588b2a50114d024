"""Automation: the rules an admin defines and the log of their runs.

An :class:`AutomationRule` is a trigger (an event, or a field of the
event's record changing to a value), conditions on the record and a list of
actions (:mod:`core.automation`). An :class:`AutomationRun` is one rule on
one emitted event: written in the transaction of the change (``queued``),
run by a job after it commits, retried with back-off when an action fails,
and kept as the log — matched or not, each action's result, how long it took.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import Model
from core.models.base import SoftDeleteMixin, TimestampMixin, UTCDateTime, VersionedMixin

#: queued → running → done | retry (→ running …) | failed; skipped: never run (a loop)
RUN_STATES = ("queued", "running", "retry", "done", "failed", "skipped")


class AutomationRule(TimestampMixin, VersionedMixin, SoftDeleteMixin, Model):
    """When ``trigger`` happens and every condition holds, run ``actions``.

    ``trigger``: ``{"kind": "event", "event": "customer_created"}`` or
    ``{"kind": "field_changed", "event": "customer_updated", "field":
    "grade", "value": "A"}`` (no ``value``: any change of the field).
    ``conditions``: ``[{"field", "op", "value"}]``, all of which must hold.
    ``actions``: ``[{"type": "create_task", "params": {...}}]``, in order.
    A ``schedule`` or ``date`` trigger (:mod:`core.automation.schedules`)
    is due at ``next_run_at``; its ``event`` is ``@schedule`` or ``@date``,
    which no emitted event is named.
    """

    __tablename__ = "automation_rule"

    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    trigger: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the trigger's event, kept apart so an emit finds its rules by index
    event: Mapped[str] = mapped_column(String(100), index=True)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: the user a round-robin assignment gave the last record to
    last_assigned_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: a schedule or date rule's next slot (UTC); claimed by a conditional UPDATE
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    created_by = relationship("User", foreign_keys=[created_by_id])


class AutomationRun(TimestampMixin, Model):
    """One rule on one event. ``depth`` counts the automation runs whose
    writes led to this one (0: a person's or a job's change); ``results``
    holds each action's outcome (``{"type", "ok", "detail"}``)."""

    __tablename__ = "automation_run"
    __table_args__ = (
        Index("ix_automation_run_due", "status", "next_attempt_at"),
        Index("ix_automation_run_rule", "rule_id", "id"),
        # a date rule runs once per (rule, record, date); NULLs (event runs) never clash
        UniqueConstraint("rule_id", "record_type", "record_id", "slot"),
    )

    rule_id: Mapped[int] = mapped_column(ForeignKey("automation_rule.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(100))
    record_type: Mapped[str | None] = mapped_column(String(100))
    record_id: Mapped[int | None] = mapped_column(Integer)
    #: a schedule run's slot or a date run's date (ISO); None for an event's run
    slot: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    #: whether the conditions held (None: not evaluated yet, or skipped)
    matched: Mapped[bool | None] = mapped_column(Boolean)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rule: Mapped[AutomationRule] = relationship(AutomationRule)
