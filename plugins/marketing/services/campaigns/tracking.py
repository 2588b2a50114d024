"""What recipients do with an e-mail: open it, click a link, unsubscribe.

The public pages find the recipient by the token of their links (core.api
``tracked_record``: only the token's hash is stored; a forged or truncated
token is a ``NotFoundError``, a 404). Unsubscribing records the customer's
consent as withdrawn (e-mail, marketing — core.api ``record_consent``, the
same consent every other plugin asks) and suppresses the address, so no
campaign reaches it again, whatever consent says later.
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


def _withdraw(customer_id: int | None, note: str) -> int:
    """Record the customer's marketing e-mail consent as withdrawn (unless
    nothing grants it now: no need to write the same decision twice)."""
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer is None or customer.id not in may_contact([customer.id], "email", "marketing"):
        return 0
    payload = {
        "channel": "email",
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
    _withdraw(recipient.customer_id, "unsubscribed from a campaign e-mail")
    with transaction():
        _stamp_once(recipient, "unsubscribed_at")
        suppress(recipient.email, "unsubscribed")
    return recipient


def suppress_address(payload: dict, actor: User | None) -> dict:
    """An address to suppress by hand (said on the phone, a complaint): the
    customers it was sent to as a campaign recipient withdraw their consent."""
    data = load(MarketingUnsubscribeInput(), payload)
    address = normal(data["email"]) or data["email"].lower()
    customer_ids = set(
        db.session.scalars(
            select(Recipient.customer_id).where(
                Recipient.email == address, Recipient.customer_id.is_not(None)
            )
        )
    )
    note = data.get("note") or f"{data['reason']} ({actor.email if actor else 'api'})"
    withdrawn = sum(_withdraw(cid, note) for cid in sorted(customer_ids))
    with transaction():
        suppress(address, data["reason"], note)
    return {"email": address, "reason": data["reason"], "consent_withdrawn": withdrawn}
