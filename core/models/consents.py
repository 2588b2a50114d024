"""Consent (同意) per channel and purpose: a customer's yes or no to being
contacted by SMS, e-mail, phone or post for their own care, for marketing or
for research. Rows are never changed: the latest decision wins and the
earlier ones stay as its history (see :mod:`core.consents`). A grant that
waits for the customer's confirmation (double opt-in) is a ``pending`` row
and a :class:`ConsentConfirmation` per e-mail that asked for it."""

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


class ConsentConfirmation(TimestampMixin, Model):
    """One e-mail asking a customer to confirm a ``pending`` grant: the
    sha256 of the link's token (the token itself is given out once, in the
    e-mail), the address it went to, when it went and expires, and when it
    was used — once; a decision recorded since makes it void too."""

    __tablename__ = "consent_confirmation"

    consent_id: Mapped[int] = mapped_column(
        ForeignKey("customer_consent.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: who asked for this e-mail (None: the grant's own request, or the system)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    consent: Mapped[CustomerConsent] = relationship()
