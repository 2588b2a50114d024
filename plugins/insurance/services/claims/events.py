"""What every step of a claim writes besides the claim itself: its event
row (written once; incurred = the sum of the reserve and paid changes) and
its entry on the customer's timeline."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from core.api import User, db, log_activity, utcnow

from ...models import Claim, ClaimEvent, Policy
from ..terms import today

#: the activity kind and link type of a claim on the timeline
KIND = LINK_TYPE = "insurance_claim"


def add_event(
    claim: Claim,
    policy: Policy,
    action: str,
    from_status: str | None,
    actor: User | None,
    *,
    reserve_delta: Decimal = Decimal("0"),
    paid_delta: Decimal = Decimal("0"),
    amount: Decimal | None = None,
    reason: str | None = None,
) -> ClaimEvent:
    """Write the claim's next event (its ``seq`` one more than the last)."""
    last = db.session.scalar(
        select(func.max(ClaimEvent.seq)).where(ClaimEvent.claim_id == claim.id)
    )
    event = ClaimEvent(
        claim_id=claim.id,
        seq=(last or 0) + 1,
        action=action,
        from_status=from_status,
        to_status=claim.status,
        reserve_delta=reserve_delta,
        paid_delta=paid_delta,
        amount=amount,
        reason=reason,
        actor_id=actor.id if actor else None,
        at=utcnow(),
        event_on=today(),
        carrier_id=policy.carrier_id,
        product_id=policy.product_id,
        line=policy.line,
        agent_id=claim.agent_id,
        team_id=claim.team_id,
        currency=claim.currency,
    )
    db.session.add(event)
    return event


def log_claim(claim: Claim, actor: User | None, subject: str, body: str | None = None) -> None:
    """The step on the policyholder's timeline, linking to the claim."""
    log_activity(
        {
            "kind": KIND,
            "subject": subject[:200],
            "body": body,
            "customer_id": claim.customer_id,
            "link_type": LINK_TYPE,
            "link_id": claim.id,
        },
        actor,
    )
