"""Deals that require approval (审批): the sales plugin declares its deals to
core's approval engine (``trellis_approvables``) exactly as a third-party
plugin would, through ``core.api`` only.

An admin then defines flows for "sales.deal" — say, a manager approves every
deal above an amount before it may be won. A deal submitted for approval is
locked: :mod:`.deals` and :mod:`.products` call ``ensure_unlocked`` first in
every service that changes it. The engine records the outcome on its
request; the deal keeps no approval state of its own (its page reads the
latest request: :func:`latest_request`).
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.api import Approvable, ApprovalRequest, User, db, submit_for_approval, translator

from ..models import Deal
from .access import visible_deals

_, _l = translator("sales")

RECORD = "sales.deal"


def load_deal(deal_id: int, user: User | None) -> Deal | None:
    """The deal for the engine: any deal for core's own work (``user``
    None); else one ``user`` may see and edit — submitting locks the deal,
    so it takes the right to change it."""
    if user is None:
        return db.session.get(Deal, deal_id)
    if not user.can("sales.deal.write"):
        return None
    return db.session.scalar(visible_deals(user).where(Deal.id == deal_id))


def decided(deal: Deal, outcome: str) -> None:
    """Nothing to move on the deal: the request keeps the outcome, and a
    deal waits for approval while it is locked, not in a state of its own."""


def approvable() -> Approvable:
    return Approvable(
        RECORD,
        Deal,
        _l("Deal"),
        fields={"amount": "number", "currency": "choice"},
        field_labels={"amount": _l("Amount"), "currency": _l("Currency")},
        customer_id=lambda deal: deal.customer_id,
        title=lambda deal: deal.title,
        url=lambda deal: url_for("sales.deal", deal_id=deal.id),
        on_decided=decided,
        load=load_deal,
    )


def submit_deal(deal: Deal, actor: User) -> ApprovalRequest:
    """Submit ``deal``: the request waits (the deal locked) when a flow
    applies, else it is approved at once."""
    return submit_for_approval(RECORD, deal.id, actor)


def latest_request(deal: Deal) -> ApprovalRequest | None:
    """The deal's newest approval request, whatever its status (None: never submitted)."""
    return db.session.scalar(
        select(ApprovalRequest)
        .where(ApprovalRequest.record_type == RECORD, ApprovalRequest.record_id == deal.id)
        .order_by(ApprovalRequest.submitted_at.desc(), ApprovalRequest.id.desc())
        .limit(1)
    )
