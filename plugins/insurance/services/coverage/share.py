"""What a health policy pays of a hospital bill: the covering terms, their
policy year, what the patient used of it, and the share.

The deductible and the limit are the patient's (per insured person, as
health cover works): a policy insuring a family keeps one deductible and
one limit for each of them — unless its product shares them
(``outpatient_shared``, 家庭共享): then everyone the policy insures uses up
the same ones. ``lock`` holds the covering terms' rows until
the hospital's payment commits (PostgreSQL ``FOR UPDATE``; SQLite has one
writer at a time), and the claim is written in that same transaction, so a
second payment at the same moment waits and then sees the first's use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from core.api import add_months, db

from ...models import Claim, InsuranceProduct, Insured, Person, Policy
from ...models.policy import LIVE_STATES
from ..terms import half_up

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CAUSE = "outpatient"
SOURCE = "his_payment"


@dataclass(frozen=True)
class Share:
    """What ``policy`` pays of a bill of patient ``customer_id``:
    ``eligible`` the charges of covered categories, ``deductible_left``
    before this bill, ``amount`` the share."""

    policy: Policy
    customer_id: int
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


def insured_rows(policy_id: int, customer_id: int):
    """``select(Insured.id)``: the patient's insured rows on the policy."""
    return (
        select(Insured.id)
        .join(Person, Person.id == Insured.person_id)
        .where(
            Insured.policy_id == policy_id,
            Person.person_customer_id == customer_id,
            Person.deleted_at.is_(None),
        )
    )


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


def lock(policy_ids: list[int]) -> None:
    """Hold the terms' rows until the transaction ends (in id order, so two
    payments never wait on each other crosswise)."""
    if policy_ids:
        db.session.execute(
            select(Policy.id).where(Policy.id.in_(policy_ids)).order_by(Policy.id).with_for_update()
        ).all()


def patients_claims(policy: Policy, customer_id: int) -> ColumnElement[bool]:
    """The condition on ``Claim`` for the outpatient claims of the patient
    on ``policy``: made for their insured row, or — for the policyholder
    themselves — made with none."""
    mine = Claim.insured_id.in_(insured_rows(policy.id, customer_id))
    if policy.customer_id == customer_id:
        return or_(mine, Claim.insured_id.is_(None))
    return mine


def year_used(
    policy: Policy, customer_id: int, on: date, *, before: int | None = None
) -> tuple[Decimal, Decimal]:
    """``(claimed, paid)``: the sums of the patient's outpatient claims on
    the term this policy year (not deleted) — of everyone it insures when
    the product shares the deductible and limit; with ``before``, only those
    of a smaller id (the claims made before that one)."""
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
    if not policy.product.outpatient_shared:
        query = query.where(patients_claims(policy, customer_id))
    if before is not None:
        query = query.where(Claim.id < before)
    claimed, paid = db.session.execute(query).one()
    return Decimal(str(claimed)), Decimal(str(paid))


def eligible_of(product: InsuranceProduct, charges: list[Any]) -> Decimal:
    """The sum of the charges in the product's covered categories."""
    covered = set(product.outpatient_categories or ())
    return sum((Decimal(str(c.amount)) for c in charges if c.category in covered), Decimal("0.00"))


def insurers_part(product: InsuranceProduct, eligible: Decimal, deductible_left: Decimal):
    """(100 − co-payment) % of what ``eligible`` exceeds the deductible left by, half-up."""
    base = max(ZERO, eligible - deductible_left)
    return half_up(base * (HUNDRED - (product.outpatient_copay_percent or ZERO)) / HUNDRED)


def share_of(policy: Policy, customer_id: int, on: date, charges: list[Any]) -> Share:
    """What ``policy`` pays of patient ``customer_id``'s ``charges`` on day ``on``."""
    product = policy.product
    eligible = eligible_of(product, charges)
    claimed, paid = year_used(policy, customer_id, on)
    deductible_left = max(ZERO, product.outpatient_deductible - claimed)
    amount = insurers_part(product, eligible, deductible_left)
    if product.outpatient_limit is not None:
        amount = min(amount, max(ZERO, product.outpatient_limit - paid))
    return Share(policy, customer_id, eligible, deductible_left, amount)


def best_share(customer_id: int, on: date, charges: list[Any]) -> Share | None:
    """The share of the policy paying most of ``charges`` (then the earliest
    term), the covering terms locked first."""
    currencies = {getattr(c, "currency", None) for c in charges}
    currency = currencies.pop() if len(currencies) == 1 else None
    policies = covering_policies(customer_id, on, currency)
    lock([p.id for p in policies])
    best: Share | None = None
    for policy in policies:
        share = share_of(policy, customer_id, on, charges)
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
