"""Outgoing messages (SMS, e-mail) and one-time codes.

A :class:`Message` is written in the transaction of the write that sends it
and delivered by a job once that commits (:mod:`core.messaging`): the table
is the outbox and the record of what was sent, to whom and whether it went.
A :class:`OneTimeCode` is the one live code per (purpose, key) — the key a
phone number or an address the code proves — kept as a keyed hash only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import Model
from core.models.base import TimestampMixin, UTCDateTime

MESSAGE_CHANNELS = ("sms", "email")
#: queued → sent | failed
MESSAGE_STATES = ("queued", "sent", "failed")


class Message(TimestampMixin, Model):
    """One message to one recipient: ``to`` is a normalised phone (E.164)
    for SMS, an address for e-mail; ``purpose`` says why it was sent
    (``otp``, ``booking``, ``reminder`` …) and ``source`` who sent it (a
    plugin's name, or ``core``)."""

    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_status", "status", "id"),
        Index("ix_message_purpose", "purpose", "id"),
    )

    channel: Mapped[str] = mapped_column(String(8))
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: the customer it was sent to, when known (purging the customer deletes it)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(60), default="core")
    status: Mapped[str] = mapped_column(String(8), default="queued")
    #: deliveries tried
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: the last failure, in the sender's words
    error: Mapped[str | None] = mapped_column(String(500))
    #: the name of the sender that delivered it
    sender: Mapped[str | None] = mapped_column(String(60))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OneTimeCode(TimestampMixin, Model):
    """The live code of a (purpose, key): its HMAC, when it expires, the
    wrong tries so far, and when it was used (a used code never works again)."""

    __tablename__ = "one_time_code"
    __table_args__ = (Index("uq_one_time_code_key", "purpose", "key", unique=True),)

    purpose: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(254))
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
