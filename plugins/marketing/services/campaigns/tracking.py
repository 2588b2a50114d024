"""What recipients do with a message: open it, click a link, unsubscribe.

The public pages find the recipient by the token of their links (core.api
``tracked_record``: only the token's hash is stored; a forged or truncated
token is a ``NotFoundError``, a 404). Unsubscribing records the customer's
consent as withdrawn (the message's channel, e-mail or SMS, for marketing —
core.api ``record_consent``, the same consent every other plugin asks) and
suppresses the address or number, so no campaign reaches it again, whatever
consent says later.
"""

from __future__ import annotations

from sqlalchemy import select, update

from core.api import (
    Customer,
    User,
    db,
    load,
    may_contact,
    record_consent,
    tracked_record,
    transaction,
    utcnow,
)

from ...models import Recipient
from ...schemas.campaign import MarketingUnsubscribeInput
from .recipients import normal, suppress

#: what the note of a withdrawal calls each channel
CHANNEL_NOTE = {"email": "e-mail", "sms": "SMS"}


def recipient_by_token(token: str | None) -> Recipient:
    return tracked_record(Recipient, token, column="token_hash")


def _stamp_once(recipient: Recipient, column: str) -> None:
    """Set ``column`` to now unless set (a conditional UPDATE: two opens at
    once keep the first time)."""
    db.session.execute(
        update(Recipient)
        .where(Recipient.id == recipient.id, getattr(Recipient, column).is_(None))
        .values({column: utcnow()})
        .execution_options(synchronize_session=False)
    )


def opened(token: str | None) -> None:
    recipient = recipient_by_token(token)
    with transaction():
        _stamp_once(recipient, "opened_at")


def clicked(token: str | None) -> None:
    """A click also counts as an open (the pixel is often blocked)."""
    recipient = recipient_by_token(token)
    with transaction():
        _stamp_once(recipient, "opened_at")
        _stamp_once(recipient, "clicked_at")


def _withdraw(customer_id: int | None, note: str, channel: str = "email") -> int:
    """Record the customer's marketing consent on ``channel`` as withdrawn
    (unless nothing grants it now: no need to write the same decision twice)."""
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer is None or customer.id not in may_contact([customer.id], channel, "marketing"):
        return 0
    payload = {
        "channel": channel,
        "purpose": "marketing",
        "status": "withdrawn",
        "source": "api",
        "note": note,
    }
    record_consent(customer, payload, None)
    return 1


def unsubscribe(token: str | None) -> Recipient:
    """One click: consent withdrawn, the address suppressed (twice is once)."""
    recipient = recipient_by_token(token)
    channel = "sms" if recipient.phone else "email"
    _withdraw(
        recipient.customer_id, f"unsubscribed from a campaign {CHANNEL_NOTE[channel]}", channel
    )
    with transaction():
        _stamp_once(recipient, "unsubscribed_at")
        suppress(channel, recipient.address, "unsubscribed")
    return recipient


def suppress_address(payload: dict, actor: User | None) -> dict:
    """An address or a mobile number to suppress by hand (said on the phone,
    a "TD" reply, a complaint): the customers it was sent to as a campaign
    recipient withdraw their consent on that channel."""
    data = load(MarketingUnsubscribeInput(), payload)
    if data.get("phone"):
        channel, address, column = "sms", data["phone"], Recipient.phone
    else:
        channel, column = "email", Recipient.email
        address = normal(data["email"]) or data["email"].lower()
    customer_ids = set(
        db.session.scalars(
            select(Recipient.customer_id).where(
                column == address, Recipient.customer_id.is_not(None)
            )
        )
    )
    note = data.get("note") or f"{data['reason']} ({actor.email if actor else 'api'})"
    withdrawn = sum(_withdraw(cid, note, channel) for cid in sorted(customer_ids))
    with transaction():
        suppress(channel, address, data["reason"], note)
    return {
        "email": address if channel == "email" else None,
        "phone": address if channel == "sms" else None,
        "reason": data["reason"],
        "consent_withdrawn": withdrawn,
    }
