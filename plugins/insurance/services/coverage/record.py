"""The outpatient claim a hospital payment leaves (``trellis_his_payment_taken``).

It is written inside the payment's transaction, while the covering terms
are still locked from the cashier's ``trellis_his_coverage`` question: the
payment and the year's use it makes commit together, or neither does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.api import (
    User,
    audit,
    db,
    emit,
    instance_timezone,
    next_number,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Claim
from ..claims.events import add_event, log_claim
from ..claims.reporting import NUMBER_PATTERN
from .share import CAUSE, SOURCE, ZERO, Share, best_share, insured_rows

_, _l = translator("insurance")


def local_day(moment) -> date:
    return moment.astimezone(ZoneInfo(instance_timezone())).date()


def record_outpatient_claim(payment: Any) -> Claim | None:
    """Record ``payment``'s outpatient claim: paid for the insurance share
    the cashier took from this insurer, or — with no share — closed at
    nothing when the bill fell in the deductible. None when the payment is
    none of this plugin's (or already recorded). The share is worked out
    again in the payment's transaction: a share taken above it (another
    payment used the cover since — on SQLite, which holds no row lock, the
    cashier's question may have read before it) refuses the payment, 409 on
    ``tenders``."""
    if db.session.scalar(
        select(Claim.id).where(Claim.source == SOURCE, Claim.source_id == payment.id)
    ):
        return None
    on = local_day(payment.paid_at)
    charges = list(payment.charges)
    share = best_share(payment.customer_id, on, charges)
    if share is None or share.eligible <= 0:
        return None
    taken = [t for t in payment.tenders if t.method == "insurance"]
    if taken and taken[0].payer != share.payer:
        return None  # another insurer's share
    paid = Decimal(taken[0].amount) if taken else ZERO
    if paid > share.amount:  # another payment used the cover since the cashier asked
        message = _("the insurance covers %(amount)s at most now", amount=share.amount)
        refuse(state={"tenders": [message]})
    if not taken and (share.amount > 0 or share.deductible_left <= 0):
        return None  # the patient claimed nothing they could have, or had nothing to fill
    return _write_claim(payment, share, on, paid)


def _write_claim(payment: Any, share: Share, on: date, paid: Decimal) -> Claim:
    policy = share.policy
    actor = payment.cashier if isinstance(getattr(payment, "cashier", None), User) else None
    insured_id = db.session.scalar(insured_rows(policy.id, share.customer_id).limit(1))
    now = utcnow()
    with transaction():
        claim = Claim(
            number=next_number("insurance.claim", NUMBER_PATTERN),
            policy_id=policy.id,
            customer_id=policy.customer_id,
            agent_id=policy.agent_id,
            team_id=policy.team_id,
            insured_id=insured_id,
            currency=policy.currency,
            status="reported",
            loss_date=on,
            reported_at=now,
            channel="customer",
            description=_(
                "Outpatient care paid at the hospital, receipt %(number)s", number=payment.number
            ),
            claimed_amount=share.eligible,
            reserve=ZERO,
            paid_amount=ZERO,
            risk_flags=[],
            risk_count=0,
            cause=CAUSE,
            source=SOURCE,
            source_id=payment.id,
        )
        db.session.add(claim)
        db.session.flush()
        add_event(claim, policy, "report", None, actor, reserve_delta=paid, amount=share.eligible)
        claim.approved_amount = paid
        claim.decided_at = now
        if paid > 0:
            claim.status, claim.paid_amount, claim.paid_on = "paid", paid, on
            add_event(
                claim, policy, "pay", "reported", actor,
                reserve_delta=-paid, paid_delta=paid, amount=paid,
            )  # fmt: skip
        else:
            claim.status, claim.closed_at = "closed", now
            add_event(claim, policy, "close", "reported", actor)
        audit(actor, claim, "create", None, snapshot(claim))
        log_claim(
            claim,
            actor,
            _(
                "Outpatient claim %(number)s: %(amount)s %(currency)s",
                number=claim.number,
                amount=paid,
                currency=claim.currency,
            ),
        )
        emit("insurance_claim_reported", claim=claim)
        if paid > 0:
            emit("insurance_claim_settled", claim=claim)
    return claim
