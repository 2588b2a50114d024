"""Public request links (报修链接): where customers file requests without an
account, and the requests that wait for a dispatcher's review."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.api import TimestampMixin, db, translator

_, _l = translator("service_dispatch")


class RequestLink(TimestampMixin, db.Model):
    """A public request link (报修链接) a company gives out: requests posted to
    it carry its secret ``key``; an inactive link refuses them."""

    __tablename__ = "service_dispatch_request_link"
    __label__ = _l("Request link")  # how the audit log names it

    name: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the team new requests from this link belong to (none: the whole company)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))


class ServiceRequest(TimestampMixin, db.Model):
    """A public request that waits for review: its phone belongs to an
    existing customer, and an anonymous visitor may not add contacts or
    orders to a customer. A dispatcher opens its work order for that
    customer (or for a new one), or dismisses it; either way the row goes.

    Its ``number`` is the work order number it will get, and its
    ``tracking_hash`` moves to that order, so the visitor's thank-you page
    and tracking link look the same as for an order opened at once."""

    __tablename__ = "service_dispatch_request"
    __label__ = _l("Service request")  # how the audit log names it

    number: Mapped[str] = mapped_column(String(32), unique=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("service_dispatch_request_link.id"))
    #: the link's team: its dispatchers review it (``core.access.scoped``)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    #: nobody's while it waits, like a customer in the pool (``scoped`` asks)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(120))
    #: as typed, and as core stores phones (what finds the customer)
    phone: Mapped[str] = mapped_column(String(40))
    phone_normal: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    product: Mapped[str | None] = mapped_column(String(120))
    serial_number: Mapped[str | None] = mapped_column(String(80))
    category: Mapped[str | None] = mapped_column(String(60))
    tracking_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the photos, already stored: ``{filename, content_type, size, stored_name}`` each
    files: Mapped[list[dict]] = mapped_column(JSON, default=list)

    #: how the tracking page shows it: a new request, no appointment yet
    status = "new"
    appointment_at = None
