"""Outpatient cover (门诊): what a health policy pays of a hospital bill.

A hospital plugin asks ``trellis_his_coverage(customer_id, on, charges)``
when its cashier takes an insurance share, and announces the payment with
``trellis_his_payment_received``; the insurance plugin answers both with
``@hookimpl(optionalhook=True)``, so it loads without a hospital plugin and
never imports one (a charge is read by its ``category``, ``amount`` and
``currency``; a payment by its ``id``, ``number``, ``customer_id``,
``paid_at``, ``currency``, ``cashier``, ``charges`` and ``tenders``).

**Which policy.** A term of a ``health`` product with outpatient terms
(``outpatient_copay_percent`` set), in the charges' currency, covering the
day ``on`` (``start_date ≤ on ≤ end_date``), held by the patient
(policyholder) or insuring them (an insured person who is the patient's
customer record), in force *or in grace*: a term in grace still covers —
its premium is late, not refused — until it lapses; lapsed, cancelled,
expired and renewed terms, quotes and deleted terms do not. Of several, the
one paying most (then the earliest term).

**What it pays.** Of the charges in the covered categories (the eligible
amount), less what is left of the deductible this policy year, the
insurer's part (100 − co-payment) %, half-up to the cent, capped by what is
left of the year's limit. A policy year is the term's twelve months from its
start (or from the anniversary of it, for a longer term).

**What it remembers.** Each outpatient payment the policy answers for
becomes a claim of the term (``cause`` "outpatient", ``source``
"his_payment" and the payment's id; channel ``customer``): reported and paid
at once for the share the cashier took, so the claims lists, the policy's
page and the loss ratio show it. Its ``claimed_amount`` is the eligible
amount, its ``paid_amount`` the share: the year's deductible used is the
sum of the claimed amounts (up to the deductible), the limit used the sum
paid. A bill wholly within the deductible gets no share (the cashier cannot
take one), yet it fills the deductible: it is recorded as a claim that paid
nothing, closed at once. A patient who could have had a share and paid it
all themselves made no claim, and nothing is recorded. Refunds at the
hospital never give back the insurance share, so they change no claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from core.api import (
    User,
    add_months,
    audit,
    db,
    emit,
    instance_timezone,
    next_number,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ..models import Claim, InsuranceProduct, Insured, Person, Policy
from ..models.policy import LIVE_STATES
from .claims.events import add_event, log_claim
from .claims.reporting import NUMBER_PATTERN
from .terms import half_up

_, _l = translator("insurance")

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CAUSE = "outpatient"
SOURCE = "his_payment"


@dataclass(frozen=True)
class Share:
    """What ``policy`` pays of a bill: ``eligible`` the charges of covered
    categories, ``deductible_left`` before this bill, ``amount`` the share."""

    policy: Policy
    eligible: Decimal
    deductible_left: Decimal
    amount: Decimal

    @property
    def payer(self) -> str:
        return self.policy.carrier.name


def policy_year(policy: Policy, on: date) -> tuple[date, date]:
    """The first and last day of ``policy``'s policy year holding ``on``."""
    years = max(0, on.year - policy.start_date.year)
    while years and add_months(policy.start_date, 12 * years) > on:
        years -= 1
    first = add_months(policy.start_date, 12 * years)
    last = add_months(policy.start_date, 12 * (years + 1)) - timedelta(days=1)
    return first, min(last, policy.end_date)


def covering_policies(customer_id: int, on: date, currency: str | None) -> list[Policy]:
    """The patient's health terms with outpatient terms covering ``on``, earliest first."""
    insured = (
        select(Insured.policy_id)
        .join(Person, Person.id == Insured.person_id)
        .where(Person.person_customer_id == customer_id, Person.deleted_at.is_(None))
    )
    query = (
        select(Policy)
        .join(InsuranceProduct, InsuranceProduct.id == Policy.product_id)
        .where(
            or_(Policy.customer_id == customer_id, Policy.id.in_(insured)),
            Policy.status.in_(LIVE_STATES),
            Policy.deleted_at.is_(None),
            Policy.start_date <= on,
            Policy.end_date >= on,
            InsuranceProduct.line == "health",
            InsuranceProduct.outpatient_copay_percent.is_not(None),
        )
        .order_by(Policy.start_date, Policy.id)
    )
    if currency is not None:
        query = query.where(Policy.currency == currency)
    return list(db.session.scalars(query))


def year_used(policy: Policy, on: date) -> tuple[Decimal, Decimal]:
    """``(claimed, paid)``: the sums of the term's outpatient claims this
    policy year (not deleted)."""
    first, last = policy_year(policy, on)
    query = select(
        func.coalesce(func.sum(Claim.claimed_amount), 0),
        func.coalesce(func.sum(Claim.paid_amount), 0),
    ).where(
        Claim.policy_id == policy.id,
        Claim.cause == CAUSE,
        Claim.deleted_at.is_(None),
        Claim.loss_date >= first,
        Claim.loss_date <= last,
    )
    claimed, paid = db.session.execute(query).one()
    return Decimal(str(claimed)), Decimal(str(paid))


def share_of(policy: Policy, on: date, charges: list[Any]) -> Share:
    """What ``policy`` pays of ``charges`` on day ``on``."""
    product = policy.product
    covered = set(product.outpatient_categories or ())
    eligible = sum(
        (Decimal(str(c.amount)) for c in charges if c.category in covered), Decimal("0.00")
    )
    claimed, paid = year_used(policy, on)
    deductible_left = max(ZERO, product.outpatient_deductible - claimed)
    base = max(ZERO, eligible - deductible_left)
    amount = half_up(base * (HUNDRED - (product.outpatient_copay_percent or ZERO)) / HUNDRED)
    if product.outpatient_limit is not None:
        amount = min(amount, max(ZERO, product.outpatient_limit - paid))
    return Share(policy, eligible, deductible_left, amount)


def best_share(customer_id: int, on: date, charges: list[Any]) -> Share | None:
    """The share of the policy paying most of ``charges`` (then the earliest term)."""
    currencies = {getattr(c, "currency", None) for c in charges}
    currency = currencies.pop() if len(currencies) == 1 else None
    best: Share | None = None
    for policy in covering_policies(customer_id, on, currency):
        share = share_of(policy, on, charges)
        if best is None or share.amount > best.amount:
            best = share
    return best


def outpatient_coverage(customer_id: int, on: date, charges: list[Any]) -> dict | None:
    """The ``trellis_his_coverage`` answer: ``{"payer", "amount"}`` or None."""
    if not charges:
        return None
    share = best_share(customer_id, on, charges)
    if share is None or share.amount <= 0:
        return None
    return {"payer": share.payer, "amount": share.amount}


def local_day(moment) -> date:
    return moment.astimezone(ZoneInfo(instance_timezone())).date()


def record_outpatient_claim(payment: Any) -> Claim | None:
    """Record ``payment``'s outpatient claim (``trellis_his_payment_received``):
    paid for the insurance share the cashier took from this insurer, or —
    with no share — closed at nothing when the bill fell in the deductible.
    None when the payment is none of this plugin's (or already recorded)."""
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
    if not taken and (share.amount > 0 or share.deductible_left <= 0):
        return None  # the patient claimed nothing they could have, or had nothing to fill
    return _write_claim(payment, share, on, paid)


def _write_claim(payment: Any, share: Share, on: date, paid: Decimal) -> Claim:
    policy = share.policy
    actor = payment.cashier if isinstance(getattr(payment, "cashier", None), User) else None
    insured_id = db.session.scalar(
        select(Insured.id)
        .join(Person, Person.id == Insured.person_id)
        .where(Insured.policy_id == policy.id, Person.person_customer_id == payment.customer_id)
    )
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
