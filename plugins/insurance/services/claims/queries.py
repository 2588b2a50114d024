"""The claims a user may see (through ``services/access``), narrowed as
the list and the API ask, and one claim with its history."""

from __future__ import annotations

from sqlalchemy import Select, select

from core.api import Customer, User, db, search_match, text_contains

from ...models import Claim, ClaimEvent, Policy
from ..access import visible_claim, visible_claims
from .review import awaiting_review


def search_claims(user: User | None, args: dict) -> Select:
    """The claims ``user`` may see, narrowed by ``status``, ``policy_id``,
    ``customer_id``, ``agent_id``, ``cause``, ``to_review`` (risk warnings no one
    reviewed yet) and ``q`` (the claim's or the policy's number, or the
    policyholder's name)."""
    query = visible_claims(user)
    if args.get("to_review"):
        query = awaiting_review(query)
    for key in ("status", "policy_id", "customer_id", "agent_id", "cause"):
        if args.get(key):
            query = query.where(getattr(Claim, key) == args[key])
    if args.get("q"):
        text = args["q"].strip()
        query = query.where(
            text_contains(Claim.number, text)
            | Claim.policy_id.in_(select(Policy.id).where(text_contains(Policy.number, text)))
            | Claim.customer_id.in_(select(Customer.id).where(search_match(Customer, text, user)))
        )
    return query


def claim_history(claim: Claim) -> list[ClaimEvent]:
    """The claim's events, oldest first."""
    return list(
        db.session.scalars(
            select(ClaimEvent).where(ClaimEvent.claim_id == claim.id).order_by(ClaimEvent.seq)
        )
    )


__all__ = ["claim_history", "search_claims", "visible_claim"]
