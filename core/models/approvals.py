"""The approval engine's tables (审批): flows an admin defines per record
type, the requests records are submitted in, and each approver's task.

A flow's steps are copied into the request when it is submitted
(``ApprovalRequest.steps``): editing a flow later never changes a request
already on its way. ``ApprovalRequest.version`` is bumped by a conditional
UPDATE on every decision, so two approvers deciding at once cannot both win.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import Model
from core.models.base import SoftDeleteMixin, TimestampMixin, UTCDateTime, VersionedMixin
from core.models.users import User

#: who approves a step
APPROVER_KINDS = ("role", "team_manager", "user", "users")
#: "any": one approval completes the step; "all": every approver must approve
STEP_MODES = ("any", "all")
REQUEST_STATUSES = ("pending", "approved", "rejected", "withdrawn")
TASK_STATUSES = ("waiting", "approved", "rejected", "delegated", "skipped")
PENDING = text("status = 'pending'")


class ApprovalFlow(TimestampMixin, VersionedMixin, SoftDeleteMixin, Model):
    """审批流程: the steps a record of ``record_type`` goes through. Of the
    active flows whose ``condition`` the record meets, the one of the lowest
    ``priority`` is chosen; ``condition`` is ``{"field", "op", "value"}`` on
    a field the record type declares, or ``None`` (every record)."""

    __tablename__ = "approval_flow"

    record_type: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    priority: Mapped[int] = mapped_column(Integer, default=100)
    condition: Mapped[dict | None] = mapped_column(JSON)

    steps: Mapped[list[ApprovalStep]] = relationship(
        order_by="ApprovalStep.position", cascade="all, delete-orphan", back_populates="flow"
    )


class ApprovalStep(TimestampMixin, Model):
    """One step of a flow; steps run one after the other by ``position``.
    ``approver_kind`` says who approves: holders of role ``role_name``, the
    record owner's team manager, the one user of ``user_ids``, or any of
    several (``users``); with ``mode`` "all" each of them must approve."""

    __tablename__ = "approval_step"
    __table_args__ = (UniqueConstraint("flow_id", "position"),)

    flow_id: Mapped[int] = mapped_column(ForeignKey("approval_flow.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    approver_kind: Mapped[str] = mapped_column(String(16))
    role_name: Mapped[str | None] = mapped_column(String(80))
    user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    mode: Mapped[str] = mapped_column(String(8), default="any")

    flow: Mapped[ApprovalFlow] = relationship(back_populates="steps")


class ApprovalRequest(TimestampMixin, Model):
    """A record submitted for approval. While it is ``pending`` the record is
    locked against edits; at most one request per record is pending."""

    __tablename__ = "approval_request"
    __table_args__ = (
        Index("ix_approval_request_record", "record_type", "record_id"),
        # at most one pending request per record (a partial unique index)
        Index(
            "uq_approval_request_pending",
            "record_type",
            "record_id",
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        ),
    )

    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(Integer)
    flow_id: Mapped[int | None] = mapped_column(ForeignKey("approval_flow.id"), index=True)
    #: the record's customer when submitted: in the recycle bin, the request waits there with it
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    #: the flow's steps as they were when submitted: [{"position", "kind", "mode", ...}]
    steps: Mapped[list[dict]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    flow: Mapped[ApprovalFlow | None] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    tasks: Mapped[list[ApprovalTask]] = relationship(
        order_by="(ApprovalTask.position, ApprovalTask.id)", back_populates="request"
    )


class ApprovalTask(TimestampMixin, Model):
    """One approver's part in one step of a request."""

    __tablename__ = "approval_task"
    __table_args__ = (
        Index("ix_approval_task_approver_status", "approver_id", "status"),
        # the decisions of a period (turnaround reports)
        Index("ix_approval_task_decided", "decided_at", "status"),
    )

    request_id: Mapped[int] = mapped_column(
        ForeignKey("approval_request.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    approver_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    comment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delegated_from_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    request: Mapped[ApprovalRequest] = relationship(back_populates="tasks")
    approver: Mapped[User] = relationship(foreign_keys=[approver_id])
    delegated_from: Mapped[User | None] = relationship(foreign_keys=[delegated_from_id])
