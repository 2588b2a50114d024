"""A quote's way to the customer's answer: send, accept (with a contract,
in the same transaction), reject, expire.

``draft`` → ``sent`` → ``accepted`` / ``rejected`` / ``expired``; any but an
accepted one may be revised (:mod:`.editing`). A draft whose discount a
flow asks to approve is sent only once approved (:mod:`.approval`).
Quotes expire in a daily job (:func:`expire_quotes`, the sales plugin's
``sales.expire_quotes``); until it has run, accepting a quote past its
``valid_until`` is refused all the same.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from core.api import (
    StateError,
    User,
    audit,
    check_version,
    db,
    emit,
    ensure_unlocked,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Quote
from .approval import cleared_to_send
from .editing import STATUS_LABELS, ensure_draft, today

_, _l = translator("sales")


def send_quote(quote: Quote, actor: User, expected_version: int | None = None) -> Quote:
    """Send a draft to the customer (``sent_at`` now). Refused while it waits
    for approval (409), when a flow asks for an approval it has not had since
    its last change (submit it first), and past its ``valid_until``."""
    ensure_unlocked(quote)
    ensure_draft(quote)
    check_version(quote, expected_version)
    _ensure_valid(quote)
    if not cleared_to_send(quote, actor):  # asked outside the transaction below
        raise StateError(
            {
                "approval": [
                    _(
                        "quote %(number)s needs approval before it is sent: submit it first",
                        number=quote.number,
                    )
                ]
            }
        )
    return _decide(quote, "sent", actor, sent_at=utcnow())


def accept_quote(
    quote: Quote, actor: User, create_contract: bool = True, expected_version: int | None = None
) -> tuple[Quote, Any]:
    """The customer accepted a sent quote (``decided_at`` now); with
    ``create_contract`` a draft contract is made from it in the same
    transaction. Returns the quote and the contract (or ``None``); fires
    ``trellis_sales_quote_accepted`` after the commit."""
    ensure_unlocked(quote)
    _ensure_sent(quote)
    check_version(quote, expected_version)
    _ensure_valid(quote)
    contract = None
    with transaction():
        _decide(quote, "accepted", actor, decided_at=utcnow())
        if create_contract:
            from ..contracts import contract_from_quote  # the contracts' own package

            contract = contract_from_quote(quote, actor)
        emit("sales_quote_accepted", quote=quote)
    return quote, contract


def reject_quote(quote: Quote, actor: User, expected_version: int | None = None) -> Quote:
    """The customer turned a sent quote down (``decided_at`` now)."""
    ensure_unlocked(quote)
    _ensure_sent(quote)
    check_version(quote, expected_version)
    return _decide(quote, "rejected", actor, decided_at=utcnow())


def expire_quotes(on: date | None = None) -> int:
    """Mark every sent quote whose ``valid_until`` is before ``on`` (today in
    the instance's time zone) ``expired``; how many. Run daily; running it
    twice changes nothing more."""
    on = on or today()
    stale = db.session.scalars(
        select(Quote).where(
            Quote.status == "sent", Quote.valid_until < on, Quote.deleted_at.is_(None)
        )
    ).all()
    with transaction():
        for quote in stale:
            _decide(quote, "expired", None)
    return len(stale)


def _decide(quote: Quote, status: str, actor: User | None, **stamps) -> Quote:
    with transaction():
        before = snapshot(quote)
        quote.status = status
        for key, value in stamps.items():
            setattr(quote, key, value)
        db.session.flush()
        audit(actor, quote, "update", before, snapshot(quote))
    return quote


def _ensure_sent(quote: Quote) -> None:
    if quote.status != "sent":
        raise StateError(
            {
                "status": [
                    _(
                        "quote %(number)s is %(status)s: only a sent quote is accepted or rejected",
                        number=quote.number,
                        status=str(STATUS_LABELS[quote.status]).lower(),
                    )
                ]
            }
        )


def _ensure_valid(quote: Quote) -> None:
    """Refuse a quote whose validity has passed (409, naming ``valid_until``)."""
    if quote.valid_until is not None and quote.valid_until < today():
        refuse(
            state={
                "valid_until": [
                    _(
                        "quote %(number)s was valid until %(day)s; revise it for a new one",
                        number=quote.number,
                        day=quote.valid_until.isoformat(),
                    )
                ]
            }
        )
