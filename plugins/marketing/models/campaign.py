"""Campaigns (营销活动) by e-mail or SMS: a template in both languages, a
campaign that sends it to a segment, and the campaign's rules of life.

A :class:`CampaignTemplate` is of one ``channel``: an e-mail template holds
a subject and an HTML body per language (``en``, ``zh_CN``), an SMS template
a text per language; both with merge fields (``services.campaigns.merge``).
A :class:`Campaign` names a segment, a template of its channel and the
language it sends in;
its ``status`` moves through :data:`CAMPAIGN` (draft → scheduled → sending
→ sent, or paused, cancelled). Who receives it is decided when sending
starts, one :class:`~.recipient.Recipient` row per address.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    SoftDeleteMixin,
    StateMachine,
    TimestampMixin,
    User,
    UTCDateTime,
    VersionedMixin,
    db,
    translator,
)

from .segment import Segment
from .survey import Survey

_, _l = translator("marketing")

#: the languages a template is written in (the suffix of its columns)
LANGUAGES = {"en": _l("English language"), "zh_CN": _l("Chinese language")}
#: how a campaign reaches its recipients (a template is written for one of them)
CHANNELS = {"email": _l("E-mail"), "sms": _l("SMS")}
#: messages per minute when the campaign does not say, and the most it may say
DEFAULT_RATE, MAX_RATE = 600, 60_000
#: what decides an A/B test of the subject: the better open rate, or click rate
WINNER_BY = {"open": _l("Open rate"), "click": _l("Click rate")}
#: the share of recipients an A/B test may take (half get each subject), in per cent
TEST_PERCENT = (10, 50)
#: how long an A/B test may run before the winner goes to the rest, in hours
TEST_HOURS = (1, 72)

CAMPAIGN = StateMachine(
    _l("campaign"),
    {
        "schedule": (("draft", "paused"), "scheduled"),
        "send": (("draft", "scheduled", "paused"), "sending"),
        "pause": (("scheduled", "sending"), "paused"),
        "cancel": (("draft", "scheduled", "paused"), "cancelled"),
        "finish": (("sending",), "sent"),
    },
    states={
        "draft": _l("Draft"),
        "scheduled": _l("Scheduled"),
        "sending": _l("Sending"),
        "paused": _l("Paused"),
        "sent": _l("Sent"),
        "cancelled": _l("Cancelled"),
    },
    actions={
        "schedule": _l("Schedule"),
        "send": _l("Send now"),
        "pause": _l("Pause"),
        "cancel": _l("Cancel"),
        "finish": _l("Finish"),
    },
)


class CampaignTemplate(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """An e-mail's subject and body, or an SMS's text, in each language; a
    language left empty cannot be sent in. The channel is fixed at creation."""

    __tablename__ = "marketing_template"

    name: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(8), default="email", server_default="email")
    subject_en: Mapped[str | None] = mapped_column(String(200))
    body_en: Mapped[str | None] = mapped_column(Text)
    subject_zh_CN: Mapped[str | None] = mapped_column(String(200))
    body_zh_CN: Mapped[str | None] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    text_zh_CN: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    owner: Mapped[User | None] = relationship()

    def subject(self, language: str) -> str:
        return getattr(self, f"subject_{language}") or ""

    def body(self, language: str) -> str:
        return getattr(self, f"body_{language}") or ""

    def text(self, language: str) -> str:
        """The SMS text in ``language`` (an SMS template's)."""
        return getattr(self, f"text_{language}") or ""

    def written_in(self, language: str) -> bool:
        """Whether the template has its channel's content in ``language``."""
        return bool(self.text(language) if self.channel == "sms" else self.body(language))


class Campaign(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A mailing (or texting: ``channel``) of one template to one segment's
    members, as its owner sees them, at ``rate`` messages a minute from
    ``send_at`` on.

    ``base_url`` is the site address the links in the e-mails start with,
    taken from the request that scheduled or started it (a worker has no
    request to ask)."""

    __tablename__ = "marketing_campaign"
    __table_args__ = (Index("ix_marketing_campaign_status", "status", "send_at"),)

    name: Mapped[str] = mapped_column(String(120))
    segment_id: Mapped[int] = mapped_column(ForeignKey("marketing_segment.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("marketing_template.id"), index=True)
    #: the survey each recipient is invited to (the template's ``{{ survey_url }}``)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("marketing_survey.id"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    channel: Mapped[str] = mapped_column(String(8), default="email", server_default="email")
    status: Mapped[str] = mapped_column(String(12), default="draft")
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rate: Mapped[int] = mapped_column(Integer, default=DEFAULT_RATE)
    base_url: Mapped[str | None] = mapped_column(String(300))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: why the last sending run stopped early (the SMTP server's or SMS provider's words)
    last_error: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: the owner's team when it was made: a team's manager sees its campaigns
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    #: an A/B test of the subject (e-mail): ``subject_b`` against the template's,
    #: each on half of ``test_percent`` of the recipients (0: no test); after
    #: ``test_hours`` the better by ``winner_by`` (``winner``: a or b) goes to the rest
    subject_b: Mapped[str | None] = mapped_column(String(200))
    test_percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    test_hours: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    winner_by: Mapped[str] = mapped_column(String(8), default="open", server_default="open")
    winner: Mapped[str | None] = mapped_column(String(1))
    winner_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User | None] = relationship()
    segment: Mapped[Segment] = relationship()
    template: Mapped[CampaignTemplate] = relationship()
    survey: Mapped[Survey | None] = relationship(Survey)  # by class: his has a Survey too

    @property
    def ab_test(self) -> bool:
        """Whether the campaign tries a second subject on part of its recipients."""
        return bool(self.test_percent and self.subject_b)
