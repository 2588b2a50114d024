"""Follow-up visits (随访): templates, the plans made from them after a visit,
their dated steps and the answers patients gave on a call.

A template says when to follow up (days after the visit, or every N months
for a chronic disease), by which channel, what to ask and which answers are
red flags. A plan is one patient's follow-up after one visit; its steps are
the dated contacts. The tasks and the contact attempts themselves are core
activities (a step points at its task): core's follow-up engine creates the
tasks through the ``his_followup`` rule, and every attempt lands on the
patient's timeline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Customer, TimestampMixin, UTCDateTime, VersionedMixin, db, translator

from .clinic import Department

_, _l = translator("his")

#: how a follow-up reaches the patient
FOLLOWUP_CHANNELS = ("phone", "sms", "visit")
#: the kinds of question a template asks
QUESTION_KINDS = ("yes_no", "scale", "text", "choice")
#: a plan's states: running, every step done, lost to follow-up (失访), stopped
PLAN_STATES = ("active", "completed", "lost", "stopped")
#: a step's states (``stopped``: its plan ended before it came)
STEP_STATES = ("due", "done", "lost", "stopped")
#: what came of a contact attempt
ATTEMPT_OUTCOMES = ("reached", "not_reached", "refused")


class FollowupTemplate(TimestampMixin, VersionedMixin, db.Model):
    """When and how to follow up the patients of a department (or of every
    one) with a diagnosis whose ICD-10 code starts with ``diagnosis_prefix``
    (or with any diagnosis)."""

    __tablename__ = "his_followup_template"
    __label__ = _l("Follow-up template")

    name: Mapped[str] = mapped_column(String(120))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("his_department.id"), index=True)
    #: an ICD-10 code or its beginning, without the dot (``E11``, ``I10``)
    diagnosis_prefix: Mapped[str | None] = mapped_column(String(10))
    #: a chronic disease: every ``repeat_months`` months instead of ``offsets``
    chronic: Mapped[bool] = mapped_column(Boolean, default=False)
    #: days after the visit, ascending (e.g. ``[1, 7, 30]``)
    offsets: Mapped[list[int]] = mapped_column(JSON, default=list)
    repeat_months: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(8), default="phone")
    #: ``[{"key", "text", "kind", "choices", "red_flag"}]`` — see services.followup.inputs
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: failed attempts on a step before the patient is lost to follow-up (失访)
    attempts_before_lost: Mapped[int] = mapped_column(Integer, default=3)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: what starts its plans: a closed ``visit`` or a ``discharge`` (出院)
    starts_after: Mapped[str] = mapped_column(String(10), default="visit", server_default="visit")
    #: the core follow-up plan (rule ``his_followup``) that makes its tasks
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("followup_plan.id"))

    department: Mapped[Department | None] = relationship()


class FollowupPlan(TimestampMixin, VersionedMixin, db.Model):
    """One patient's follow-up after one visit, from one template. Its
    ``owner_id`` (the visit's doctor) and ``team_id`` (the department's
    team) are what core's scope reads."""

    __tablename__ = "his_followup_plan"
    __label__ = _l("Follow-up plan")
    __table_args__ = (Index("ix_his_followup_plan_customer", "customer_id", "status"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("his_visit.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("his_followup_template.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    stop_reason: Mapped[str | None] = mapped_column(String(200))

    customer: Mapped[Customer] = relationship()
    template: Mapped[FollowupTemplate] = relationship()
    steps: Mapped[list[FollowupStep]] = relationship(
        back_populates="plan", order_by="FollowupStep.number"
    )


class FollowupStep(TimestampMixin, VersionedMixin, db.Model):
    """One dated contact of a plan: its task, its attempts, its outcome."""

    __tablename__ = "his_followup_step"
    __label__ = _l("Follow-up step")
    __table_args__ = (Index("ix_his_followup_step_due", "status", "due_on"),)

    plan_id: Mapped[int] = mapped_column(ForeignKey("his_followup_plan.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10), default="due")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: an answer was a red flag (the doctor got a task)
    red_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the core task the follow-up engine made for it
    task_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan: Mapped[FollowupPlan] = relationship(back_populates="steps")


class FollowupAnswer(TimestampMixin, db.Model):
    """The answer to one of the template's questions, given on a reached attempt."""

    __tablename__ = "his_followup_answer"
    __label__ = _l("Follow-up answer")

    step_id: Mapped[int] = mapped_column(ForeignKey("his_followup_step.id"), index=True)
    #: the attempt (a core activity on the timeline) it was given on
    attempt_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    question: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(Text)
    red_flag: Mapped[bool] = mapped_column(Boolean, default=False)
