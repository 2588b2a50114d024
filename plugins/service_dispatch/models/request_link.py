"""Public request links (报修链接): where customers file requests without an account."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.api import TimestampMixin, db


class RequestLink(TimestampMixin, db.Model):
    """A public request link (报修链接) a company gives out: requests posted to
    it carry its secret ``key``; an inactive link refuses them."""

    __tablename__ = "service_dispatch_request_link"

    name: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the team new requests from this link belong to (none: the whole company)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
