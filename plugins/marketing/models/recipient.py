"""Who a campaign goes to, and the addresses nothing goes to.

A :class:`Recipient` is one address of one campaign — an e-mail address
(``email``) or, for an SMS campaign, a mobile number in E.164 (``phone``) —
unique per (campaign, address), which is what makes "never sent twice" hold: a second row for the
same address cannot exist, and a row is sent only by the worker that
claimed it (``queued`` → ``sending`` by a conditional UPDATE) — see
``services.campaigns.sending``. ``token_hash`` is the sha256 of the token in
the recipient's unsubscribe, open and click links (core.api tracking).

A :class:`Suppression` is an address or a number no campaign sends to any
more: it bounced (an SMS provider rejected the number), its owner
unsubscribed, or complained.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.api import TimestampMixin, UTCDateTime, db, translator

_, _l = translator("marketing")

#: queued → sending (claimed by a worker) → sent | failed | bounced; skipped:
#: no longer allowed when its turn came (consent withdrawn, suppressed); held:
#: kept back by an A/B test until its winner is known (then queued)
RECIPIENT_STATES = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "bounced": _l("Bounced"),
    "skipped": _l("Skipped"),
    "held": _l("Held for the A/B test's winner"),
}
SUPPRESSION_REASONS = {
    "bounced": _l("Bounced"),
    "unsubscribed": _l("Unsubscribed"),
    "complained": _l("Complained"),
    "rejected": _l("Number rejected"),
}


class Recipient(TimestampMixin, db.Model):
    __tablename__ = "marketing_recipient"
    __table_args__ = (
        UniqueConstraint("campaign_id", "email", name="uq_marketing_recipient_address"),
        UniqueConstraint("campaign_id", "phone", name="uq_marketing_recipient_phone"),
        Index("ix_marketing_recipient_status", "campaign_id", "status", "id"),
    )

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("marketing_campaign.id", ondelete="CASCADE")
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))
    #: the address of an e-mail campaign's row, the E.164 number of an SMS campaign's
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(8), default="queued")
    #: the subject an A/B-tested campaign sent: ``a`` (the template's) or ``b``
    variant: Mapped[str | None] = mapped_column(String(1))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clicked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def address(self) -> str:
        """Where the message goes: the number of an SMS row, else the address."""
        return self.phone or self.email or ""


class Suppression(TimestampMixin, db.Model):
    """An address (lower case) or a mobile number (E.164) no campaign sends
    to; each unique."""

    __tablename__ = "marketing_suppression"

    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(500))
