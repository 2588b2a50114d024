"""Personal API tokens: random, shown once, stored as a SHA-256 digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import Model
from core.models.base import TimestampMixin, UTCDateTime
from core.models.users import User


class ApiToken(TimestampMixin, Model):
    """A named bearer token of one user. Only the digest is kept: a leaked
    database does not leak usable tokens. Every token expires; revoking (by
    hand, or by a password change or deactivation) keeps the row for the log."""

    __tablename__ = "api_token"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists to tell tokens apart
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
