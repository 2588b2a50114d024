"""The registration fee (挂号费): a booking's fee becomes a charge when the
booking is made, in the booking's transaction; cancelling the booking voids
it while unpaid (a paid one stays, for a refund)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.api import User, db, translator

from ...models import Booking, Charge, ClinicSession, PriceItem
from .charges import ChargeLine, add_charges, void_charge

_, _l = translator("his")

SOURCE = "booking"


def registration_code(session: ClinicSession) -> str:
    """The price-list code of a session's registration type: REG-GENERAL, REG-EXPERT."""
    return f"REG-{session.registration_type.upper()}"


def charge_registration(
    booking: Booking, session: ClinicSession, actor: User | None = None
) -> list[Charge]:
    """Charge the booking's fee (the session's, so a price change does not
    reach booked patients); nothing for a free registration."""
    if booking.fee is None or Decimal(booking.fee) <= 0:
        return []
    code = registration_code(session)
    item = db.session.scalar(select(PriceItem).where(PriceItem.code == code))
    name = item.name if item is not None else _("Registration fee")
    line = ChargeLine(code, name, "registration", Decimal("1"), Decimal(booking.fee))
    return add_charges(
        booking.customer_id,
        visit_id=None,
        source=SOURCE,
        source_id=booking.id,
        lines=[line],
        booking_id=booking.id,
        currency=booking.currency,
        actor=actor,
    )


def release_registration(booking: Booking, actor: User | None = None) -> None:
    """A cancelled booking's unpaid fee is void (in the caller's transaction)."""
    for charge in db.session.scalars(
        select(Charge).where(
            Charge.source == SOURCE, Charge.source_id == booking.id, Charge.status == "unpaid"
        )
    ):
        void_charge(charge, actor)
