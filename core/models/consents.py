"""Consent (同意) per channel and purpose: a customer's yes or no to being
contacted by SMS, e-mail, phone or post for their own care, for marketing or
for research. Rows are never changed: the latest decision wins and the
earlier ones stay as its history (see :mod:`core.consents`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import Model
from core.models.base import TimestampMixin, UTCDateTime
from core.models.users import User


class CustomerConsent(TimestampMixin, Model):
    """One decision of a customer on one (channel, purpose): ``granted`` or
    ``withdrawn`` at ``decided_at``, as learnt from ``source`` (a signed
    form, the API, an import, said on the phone) and written down by
    ``recorded_by``."""

    __tablename__ = "customer_consent"
    __table_args__ = (
        Index("ix_customer_consent_latest", "customer_id", "channel", "purpose", "decided_at"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    recorded_by: Mapped[User | None] = relationship()
