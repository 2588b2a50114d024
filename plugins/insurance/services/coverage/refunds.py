"""A hospital refund gives the insurer's share back (``trellis_his_refund_paid``).

The charges refunded leave the bill, so they leave the outpatient claim
made of it: its claimed (eligible) amount falls by the refunded charges of
covered categories — for a refund of an amount, by the covered part of the
bill in proportion — and the share is worked out again on what is left,
with the deductible the patient had left before this claim. What the
insurer paid above it comes back (the hospital owes it): a
``hospital_refund`` step with the negative paid change, so incurred and the
loss ratio fall with it. The patient's deductible and limit this year are
the sums of their claims, so both are given back with it. A claim paying
nothing any more is closed; its claimed amount may reach 0 (withdrawn)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.api import audit, db, snapshot, transaction, translator, utcnow

from ...models import Claim
from ..claims.events import add_event, log_claim
from ..terms import half_up
from .share import SOURCE, ZERO, eligible_of, insurers_part, lock, year_used

_, _l = translator("insurance")


def refunded_eligible(claim: Claim, refund: Any, charges: list[Any]) -> Decimal:
    """What ``refund`` takes off the claim's eligible amount."""
    if charges:
        back = eligible_of(claim.policy.product, charges)
    else:
        payment = refund.payment
        billed = Decimal(payment.total) - Decimal(payment.refunded) + Decimal(refund.amount)
        if billed <= 0:
            return claim.claimed_amount
        back = half_up(Decimal(refund.amount) * claim.claimed_amount / billed)
    return min(back, claim.claimed_amount)


def give_back(refund: Any, charges: list[Any]) -> Claim | None:
    """Reduce the outpatient claim of ``refund``'s payment; None when the
    payment left no claim of this plugin's or nothing covered was refunded."""
    claim = db.session.scalar(
        select(Claim).where(
            Claim.source == SOURCE, Claim.source_id == refund.payment_id, Claim.deleted_at.is_(None)
        )
    )
    if claim is None:
        return None
    back = refunded_eligible(claim, refund, charges)
    if back <= 0:
        return None
    with transaction():
        policy = claim.policy
        lock([policy.id])
        product = policy.product
        claimed_before, _paid = year_used(
            policy, refund.customer_id, claim.loss_date, before=claim.id
        )
        deductible_left = max(ZERO, product.outpatient_deductible - claimed_before)
        eligible = claim.claimed_amount - back
        paid = min(claim.paid_amount, insurers_part(product, eligible, deductible_left))
        returned = claim.paid_amount - paid
        before, status = snapshot(claim), claim.status
        claim.claimed_amount, claim.approved_amount, claim.paid_amount = eligible, paid, paid
        if paid <= 0 and claim.status != "closed":
            claim.status, claim.closed_at = "closed", utcnow()
        reason = _(
            "Refund at the hospital on receipt %(number)s: %(reason)s",
            number=refund.payment.number,
            reason=refund.reason,
        )
        add_event(
            claim, policy, "hospital_refund", status, None,
            paid_delta=-returned, amount=back, reason=reason,
        )  # fmt: skip
        audit(None, claim, "update", before, snapshot(claim))
        log_claim(
            claim,
            None,
            _(
                "Hospital refund on claim %(number)s: %(amount)s %(currency)s back",
                number=claim.number,
                amount=returned,
                currency=claim.currency,
            ),
        )
    return claim
