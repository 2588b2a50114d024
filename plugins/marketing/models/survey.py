"""Surveys (满意度调查): the voice of the customer.

A :class:`Survey` is a questionnaire — NPS (0–10, "how likely are you to
recommend us"), CSAT (1–5) or custom — whose questions carry their text in
both languages. A :class:`SurveyInvitation` asks one customer, once per
*occasion* (a won deal, a closed work order, a send from the survey page),
through a public link whose token only the hash of is kept; a
:class:`SurveyResponse` is the customer's answer, one per invitation (the unique
``invitation_id`` is what makes "answer once" hold under two clicks).

Invitations and responses copy the customer's owner and team when they are
made: the scope a rep sees them through is core's, over those columns and
the customer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Customer,
    SoftDeleteMixin,
    TimestampMixin,
    User,
    UTCDateTime,
    VersionedMixin,
    db,
    translator,
)

_, _l = translator("marketing")

#: a survey's kind: the score question it opens with (custom: none)
KINDS = ("nps", "csat", "custom")
#: the range of the opening score question of each kind
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5)}
#: a question's type: a score in a range, one of its choices, free text
QUESTION_TYPES = ("score", "choice", "text")
STATUSES = ("active", "closed")
#: the channels an invitation goes by; ``link``: none, the link is handed over by hand
CHANNELS = ("email", "sms", "link")
#: the events a survey may answer (its ``trigger``): another plugin's event, by name
TRIGGERS = ("sales.deal_won", "service_dispatch.work_order_closed")
LANGUAGES = ("en", "zh_CN")


class Survey(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A questionnaire. ``questions`` is a list of ``{"key", "type",
    "text": {"en", "zh_CN"}, "choices": [{"value", "text": {…}}], "min",
    "max", "required"}`` (see ``services.surveys.questions``); an NPS or
    CSAT survey's first question is its ``score``."""

    __tablename__ = "marketing_survey"
    __label__ = _l("Survey")
    __table_args__ = (Index("ix_marketing_survey_trigger", "trigger", "status"),)

    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8), default="active")
    questions: Mapped[list] = mapped_column(JSON, default=list)
    #: the event that invites the customer by itself, or none
    trigger: Mapped[str | None] = mapped_column(String(40))
    #: how an invitation goes out (e-mail, SMS, or a link to copy)
    channel: Mapped[str] = mapped_column(String(8), default="email")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)

    owner: Mapped[User | None] = relationship()


class SurveyInvitation(TimestampMixin, db.Model):
    """One customer asked to answer one survey, for one occasion
    (``deal:12``, ``work_order:7``, ``send:2026-12-06``)."""

    __tablename__ = "marketing_survey_invitation"
    __label__ = _l("Survey invitation")
    __table_args__ = (
        UniqueConstraint("survey_id", "customer_id", "occasion"),
        Index("ix_marketing_survey_invitation_scope", "owner_id", "team_id"),
    )

    survey_id: Mapped[int] = mapped_column(ForeignKey("marketing_survey.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    occasion: Mapped[str] = mapped_column(String(80))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(8))
    #: the address or phone it was sent to (none for a link)
    sent_to: Mapped[str | None] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    survey: Mapped[Survey] = relationship(Survey)  # by class: his has a Survey too
    customer: Mapped[Customer] = relationship()


class SurveyResponse(TimestampMixin, db.Model):
    """A customer's answer to an invitation: ``score`` (the opening score
    question's, if any), every answer by question key, and the follow-up
    task a detractor's answer made for the owner."""

    __tablename__ = "marketing_survey_response"
    __label__ = _l("Survey answer")
    __table_args__ = (
        Index("ix_marketing_survey_response_scope", "owner_id", "team_id"),
        Index("ix_marketing_survey_response_customer", "customer_id", "answered_at"),
    )

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("marketing_survey_invitation.id"), unique=True
    )
    survey_id: Mapped[int] = mapped_column(ForeignKey("marketing_survey.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    score: Mapped[int | None] = mapped_column(Integer)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(8))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: the detractor's follow-up task (an activity with a due date), once made
    task_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"))

    survey: Mapped[Survey] = relationship(Survey)  # by class: his has a Survey too
    customer: Mapped[Customer] = relationship()
    invitation: Mapped[SurveyInvitation] = relationship(SurveyInvitation)
