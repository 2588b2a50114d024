"""Quotes that require approval (审批): declared to core's approval engine as
``sales.quote``, as :mod:`..approvals` declares deals.

An admin defines flows for "sales.quote" — say, a manager approves every
quote more than 15 % below the list price (``effective_discount_percent``).
Such a quote is submitted and waits, locked, still a draft; once approved it
may be sent; a rejected one stays a draft to change and submit again. The
quote keeps no approval state of its own: the engine's requests are read
back (:func:`latest_request`, :func:`cleared_to_send`).
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.api import (
    Approvable,
    ApprovalRequest,
    User,
    choose_approval_flow,
    db,
    submit_for_approval,
    translator,
)

from ...models import Quote
from ..access import visible_records

_, _l = translator("sales")

RECORD = "sales.quote"


def load_quote(quote_id: int, user: User | None) -> Quote | None:
    """The quote for the engine: any quote for core's own work (``user``
    None); else a draft ``user`` may see and change — submitting locks it."""
    if user is None:
        return db.session.get(Quote, quote_id)
    if not user.can("sales.quote.write"):
        return None
    return db.session.scalar(
        visible_records(Quote, user).where(
            Quote.id == quote_id, Quote.status == "draft", Quote.deleted_at.is_(None)
        )
    )


def decided(quote: Quote, outcome: str) -> None:
    """Nothing to move on the quote: approved, it may be sent; rejected or
    withdrawn, it stays the draft it was."""


def title(quote: Quote) -> str:
    return f"{quote.number} · {quote.title}"


def approvable() -> Approvable:
    return Approvable(
        RECORD,
        Quote,
        _l("Quote"),
        fields={"effective_discount_percent": "percent", "total": "number", "currency": "choice"},
        field_labels={
            "effective_discount_percent": _l("Effective discount %"),
            "total": _l("Total"),
            "currency": _l("Currency"),
        },
        customer_id=lambda quote: quote.customer_id,
        title=title,
        url=lambda quote: url_for("sales.quote", quote_id=quote.id),
        on_decided=decided,
        load=load_quote,
    )


def submit_quote(quote: Quote, actor: User) -> ApprovalRequest:
    """Submit ``quote``: it waits (locked) when a flow applies, else it is
    approved at once."""
    return submit_for_approval(RECORD, quote.id, actor)


def latest_request(quote: Quote) -> ApprovalRequest | None:
    """The quote's newest approval request, whatever its status (None: never submitted)."""
    return db.session.scalar(
        select(ApprovalRequest)
        .where(ApprovalRequest.record_type == RECORD, ApprovalRequest.record_id == quote.id)
        .order_by(ApprovalRequest.submitted_at.desc(), ApprovalRequest.id.desc())
        .limit(1)
    )


def flow_applies(quote: Quote) -> bool:
    """Whether an active flow would make ``quote`` wait for approval (the
    engine's own choice of flow, nothing submitted)."""
    return choose_approval_flow(RECORD, quote) is not None


def cleared_to_send(quote: Quote, actor: User) -> bool:
    """Whether ``quote`` may go to the customer: approved since its last
    change, or no flow asks for approval."""
    request = latest_request(quote)
    if (
        request is not None
        and request.status == "approved"
        and request.submitted_at >= quote.updated_at
    ):
        return True
    return not flow_applies(quote)
