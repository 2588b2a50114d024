"""The next term of a policy (续保): its quote and the one-step renewal.

- **Renewal quote** (:func:`renewal_quote`): the successor row — the same
  policyholder, product, parties, objects and coverages, ``term_no`` + 1,
  ``predecessor_id``, ``inception_on`` copied, starting the day after the
  predecessor ends (any other start: 422 ``start_date``) for the product's
  term — priced again at the new age from the stored pricing ``inputs``
  (the quotes' pricing), ``quoted`` with a quote number. The policy number
  is given at issue (the same number, ``term_no`` 2, …). A term has one
  successor (``uq_insurance_policy_predecessor``): asking again re-prices
  the open quote; a successor past a quote makes a second one impossible —
  409. A term in grace may be quoted, not renewed (its arrears first); an
  expired one within the product's ``renewal_late_days``.
- **Continue** (:func:`continue_terms`, job ``insurance.continue_terms``):
  for products with ``auto_renew`` (life: each policy year is a term) the
  next year's term is issued 30 days before the end at the same annual
  premium (level premium), so its instalments exist and lapse like any other.
- **Renew** (:func:`renew`): the renewal quote, bound and issued (the
  policies' issuing service moves the predecessor to ``renewed``) in one
  transaction. With ``reprice`` False the annual premium is kept (the
  level premium of an auto-renewing life term's next policy year).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from core.api import (
    ConflictError,
    TrellisError,
    User,
    add_months,
    audit,
    check_version,
    db,
    next_number,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Beneficiary, Coverage, InsuranceProduct, Insured, InsuredObject, Policy
from ..premiums.schedule import term_premium
from ..states import POLICY
from ..terms import today
from .journal import QUOTE_PATTERN, log_policy
from .renewals import OPEN_QUOTE, not_renewable, renewable, successor_of

_, _l = translator("insurance")
log = logging.getLogger(__name__)

#: how long a renewal quote holds its price
QUOTE_VALID_DAYS = 30
#: days before the end at which the next policy year of an auto-renewing term is issued
CONTINUE_DAYS = 30


def check_successor_start(predecessor: Policy, start_date: date | None) -> date:
    """The successor's start: the day after the predecessor ends, nothing
    else (422 ``start_date``)."""
    expected = predecessor.end_date + timedelta(days=1)
    if start_date is not None and start_date != expected:
        refuse(
            {
                "start_date": [
                    _(
                        "the next term starts the day after this one ends, %(day)s",
                        day=expected.isoformat(),
                    )
                ]
            }
        )
    return expected


def renewal_quote(
    policy: Policy,
    actor: User | None,
    *,
    start_date: date | None = None,
    expected_version: int | None = None,
    reprice: bool = True,
    on: date | None = None,
) -> Policy:
    """The quote of ``policy``'s next term (see the module's docstring);
    ``reprice`` False keeps the annual premium (a level-premium life year)."""
    on = on or today()
    if not renewable(policy, on):
        _refuse_state(policy)
    check_version(policy, expected_version)
    start = check_successor_start(policy, start_date)
    product = db.session.get(InsuranceProduct, policy.product_id)
    assert product is not None  # a foreign key
    existing = successor_of(policy)
    try:
        with transaction():
            if existing is not None and existing.status in OPEN_QUOTE:
                successor = existing
                if successor.status != "bound":
                    before = snapshot(successor)
                    _price(successor, policy, product, reprice)
                    successor.status = POLICY.move(successor.status, "quote")
                    successor.quoted_at = utcnow()
                    successor.quote_valid_until = on + timedelta(days=QUOTE_VALID_DAYS)
                    audit(actor, successor, "quote", before, snapshot(successor))
                return successor
            successor = _successor(policy, product, start, on)
            db.session.add(successor)
            db.session.flush()  # a second successor fails here
            _copy_parties(policy, successor)
            _price(successor, policy, product, reprice)
            db.session.flush()
            audit(actor, successor, "create", None, snapshot(successor))
            log_policy(
                policy,
                actor,
                _(
                    "Renewal quote %(quote)s for policy %(number)s",
                    quote=successor.quote_number,
                    number=policy.display_number,
                ),
                _(
                    "Premium %(old)s → %(new)s %(currency)s",
                    old=f"{policy.annual_premium:,.2f}",
                    new=f"{successor.annual_premium:,.2f}",
                    currency=successor.currency,
                ),
            )
    except IntegrityError:
        db.session.rollback()
        raise _already(policy) from None
    return successor


def _refuse_state(policy: Policy) -> None:
    if policy.status == "expired":
        refuse({"end_date": [_("ended too long ago to be renewed")]})
    raise not_renewable(policy)


def _already(policy: Policy) -> ConflictError:
    return ConflictError(
        _("Policy %(number)s already has a next term.", number=policy.display_number),
        kind="already-renewed",
        title=_("Already renewed"),
    )


def _successor(policy: Policy, product: InsuranceProduct, start: date, on: date) -> Policy:
    """The next term's row, as a quote, before its parties and its price."""
    end = add_months(start, product.term_months or 12) - timedelta(days=1)
    return Policy(
        quote_number=next_number("insurance.quote", QUOTE_PATTERN),
        term_no=policy.term_no + 1,
        predecessor_id=policy.id,
        inception_on=policy.inception_on,
        customer_id=policy.customer_id,
        product_id=policy.product_id,
        carrier_id=policy.carrier_id,
        line=policy.line,
        status=POLICY.move("draft", "quote"),
        frequency=policy.frequency,
        annual_premium=policy.annual_premium,
        term_premium=policy.term_premium,
        currency=policy.currency,
        sum_insured=policy.sum_insured,
        start_date=start,
        end_date=end,
        quoted_at=utcnow(),
        quote_valid_until=on + timedelta(days=QUOTE_VALID_DAYS),
        inputs=policy.inputs,
        household_id=policy.household_id,
        deal_id=policy.deal_id,
        agent_id=policy.agent_id,
        team_id=policy.team_id,
    )


def _copy_parties(policy: Policy, successor: Policy) -> None:
    """The insured, beneficiaries, objects and coverages, onto the next term."""
    insured_ids: dict[int, int] = {}
    for row in db.session.scalars(select(Insured).where(Insured.policy_id == policy.id)):
        copy = Insured(policy_id=successor.id, person_id=row.person_id, relation=row.relation)
        db.session.add(copy)
        db.session.flush()
        insured_ids[row.id] = copy.id
    for row in db.session.scalars(select(Beneficiary).where(Beneficiary.policy_id == policy.id)):
        db.session.add(
            Beneficiary(
                policy_id=successor.id, person_id=row.person_id, rank=row.rank, share=row.share
            )
        )
    object_ids: dict[int, int] = {}
    for row in db.session.scalars(
        select(InsuredObject).where(InsuredObject.policy_id == policy.id)
    ):
        item = InsuredObject(
            policy_id=successor.id,
            kind=row.kind,
            description=row.description,
            plate=row.plate,
            vin=row.vin,
            vehicle_class=row.vehicle_class,
            year=row.year,
            address=row.address,
            value=row.value,
        )
        db.session.add(item)
        db.session.flush()
        object_ids[row.id] = item.id
    for row in db.session.scalars(select(Coverage).where(Coverage.policy_id == policy.id)):
        db.session.add(
            Coverage(
                policy_id=successor.id,
                cover_code=row.cover_code,
                insured_id=insured_ids.get(row.insured_id) if row.insured_id else None,
                object_id=object_ids.get(row.object_id) if row.object_id else None,
                sum_insured=row.sum_insured,
                deductible=row.deductible,
                annual_premium=row.annual_premium,
            )
        )
    db.session.flush()


def _price(successor: Policy, policy: Policy, product: InsuranceProduct, reprice: bool) -> None:
    """The next term's premium: priced again on the stored inputs and the
    copied parties at the new start — the insured a year older (the
    quotes' pricing, which rewrites the coverages) — else the predecessor's
    annual premium (level premium, or nothing to price on: a migrated term)."""
    priceable = (
        reprice
        and policy.inputs is not None
        and not (product.pricing == "fixed" and product.fixed_premium is None)
    )
    if priceable:
        from .quoting import reprice as price_again  # the quotes' pricing

        price_again(successor)
        return
    successor.annual_premium = policy.annual_premium
    successor.term_premium = term_premium(policy.annual_premium, product.term_months or 12)
    db.session.flush()


def renew(
    policy: Policy,
    actor: User | None,
    *,
    start_date: date | None = None,
    expected_version: int | None = None,
    reprice: bool = True,
    on: date | None = None,
) -> Policy:
    """Quote, bind and issue ``policy``'s next term in one transaction; the
    issue moves ``policy`` to ``renewed``. Returns the new term."""
    from .issuing import bind, issue  # the policies' binding and issuing

    with transaction():
        successor = renewal_quote(
            policy,
            actor,
            start_date=start_date,
            expected_version=expected_version,
            reprice=reprice,
            on=on,
        )
        if successor.status == "quoted":
            bind(successor, actor)
        issue(successor, actor)
    return successor


# -- the yearly continuation ---------------------------------------------------------


def continue_terms(on: date) -> int:
    """Issue the next policy year of each auto-renewing term in force that
    ends within 30 days of ``on`` and has no next term, at the same annual
    premium; returns how many. A term refused (a rule of the issue) is
    logged and left for the agent."""
    product_ids = select(InsuranceProduct.id).where(InsuranceProduct.auto_renew.is_(True))
    successor = aliased(Policy)
    has_next = (
        select(successor.id)
        .where(successor.predecessor_id == Policy.id, successor.status != "cancelled")
        .exists()
    )
    ids = list(
        db.session.scalars(
            select(Policy.id)
            .where(
                Policy.product_id.in_(product_ids),
                Policy.status == "in_force",
                Policy.deleted_at.is_(None),
                Policy.renewal_outcome.is_(None),
                Policy.end_date <= on + timedelta(days=CONTINUE_DAYS),
                ~has_next,
            )
            .order_by(Policy.end_date, Policy.id)
        )
    )
    issued = 0
    for policy_id in ids:
        policy = db.session.get(Policy, policy_id)
        if policy is None:
            continue
        try:
            renew(policy, None, reprice=False, on=on)
        except TrellisError as exc:
            db.session.rollback()
            log.warning("insurance.continue_terms: policy %s not continued: %s", policy_id, exc)
            continue
        issued += 1
    return issued


def run_continue_terms() -> dict:
    """The job ``insurance.continue_terms``: today's continuations."""
    count = continue_terms(today())
    log.info("insurance.continue_terms: %d terms continued", count)
    return {"continued": count}
