"""Webhooks: the subscriptions an admin defines and the deliveries sent to them.

A :class:`WebhookSubscription` names a URL, the events it wants (declared
event names, or ``*`` for all) and the secret deliveries are signed with
(stored encrypted, :mod:`core.pii`). A :class:`WebhookDelivery` is one event
for one subscription: written in the transaction of the change that emitted
the event (the table is the outbox) and sent by a job after it commits
(:mod:`core.webhooks`), with the last attempt's request, response and latency.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import Model
from core.models.base import SoftDeleteMixin, TimestampMixin, UTCDateTime, VersionedMixin
from core.pii import Encrypted

#: pending → sending → delivered | pending (retried) | failed
DELIVERY_STATES = ("pending", "sending", "delivered", "failed")
#: what a subscription's ``events`` may hold besides event names: every event
ALL_EVENTS = "*"


class WebhookSubscription(TimestampMixin, VersionedMixin, SoftDeleteMixin, Model):
    """Where to POST which events. ``allow_internal`` lets the URL point at a
    private or loopback address (only an admin sets it); a subscription that
    keeps failing is switched off (``active`` false, ``disabled_at`` and
    ``disabled_reason`` say when and why)."""

    __tablename__ = "webhook_subscription"

    name: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(Encrypted())
    #: declared event names (``customer_created`` …) or ``["*"]``
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    #: deliveries that ended ``failed`` since the last one delivered
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    #: the first failed attempt since the last success (None: not failing)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_by = relationship("User", foreign_keys=[created_by_id])


class WebhookDelivery(TimestampMixin, Model):
    """One event for one subscription. ``key`` (a UUID) is the idempotency
    key sent as ``Trellis-Delivery``: the same on every attempt and on a
    redelivery, so a receiver can drop a duplicate."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_subscription", "subscription_id", "id"),
    )

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(36), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: the next attempt is due then (while ``sending``: the attempt's lease ends)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: retries stop then (a day after the first try, or after a redelivery)
    retry_until: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the last attempt: its request headers, answer and how long it took
    request_headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscription: Mapped[WebhookSubscription] = relationship(WebhookSubscription)
