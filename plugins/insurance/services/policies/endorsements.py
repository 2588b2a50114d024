"""Endorsements (批改): a change of an issued term's coverages, sums
insured, insured objects or payment frequency, effective on a day of the
term, as one immutable ``endorsement`` transaction with its number (批单号,
``next_number("insurance.endorsement")``).

Rules:

- ``effective_on`` (default today) lies within the term and not before the
  effective date of the term's last transaction (422 ``effective_on``): the
  history is never rewritten backwards;
- the term is priced again on its new inputs; the change of the term's
  premium is the change of the year's premium for the days left, rounded
  half-up to the cent::

      premium_delta = (new annual − old annual) × days(effective_on..end_date) / days(term)

  e.g. a term 2026-01-01..2026-12-31 (365 days) at 1,200.00 a year raised to
  1,800.00 from 2026-07-01 (184 days left): 600.00 × 184 / 365 = 302.4657…
  → 302.47;
- in the grace period only a change that does not raise the premium (422
  ``premium_delta``): arrears first. The term stays in grace;
- the change is spread over the open instalments due on or after it
  (``schedule.respread``); a cut beyond what is still owed is refunded
  (``premiums.payments.refund``); a new frequency first re-splits the open
  unpaid instalments on the new frequency's dates (422 ``frequency`` while
  one of them is paid in part);
- ``changes`` keeps before and after (premiums, sum insured, frequency,
  coverages, objects): the claim risk rule ``raised_cover`` reads it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from core.api import (
    Amount,
    User,
    add_months,
    audit,
    check_version,
    db,
    load,
    next_number,
    refuse,
    snapshot,
    transaction,
    translator,
)

from ...models import InsuranceProduct, Policy, PolicyTransaction, PremiumInstalment
from ..premiums.schedule import (
    PER_YEAR,
    instalment_count,
    instalments,
    period_months,
    refresh_dues,
    respread,
    split,
)
from ..states import POLICY
from ..terms import ZERO, days, prorate, term_days, today
from .journal import ENDORSEMENT_PATTERN, log_policy
from .parties_input import CoverageInput, ObjectInput, coverages_of, objects_of, write_parties
from .quoting import _json_coverages, _text, reprice
from .transactions import add_transaction

_, _l = translator("insurance")


class EndorseInput(Schema):
    """What an endorsement changes (at least one of coverages, sum insured, objects, frequency)."""

    effective_on = fields.Date(allow_none=True, metadata={"description": "default today"})
    coverages = fields.List(fields.Nested(CoverageInput), validate=validate.Length(min=1, max=50))
    sum_insured = Amount(allow_none=True)
    objects = fields.List(fields.Nested(ObjectInput), validate=validate.Length(max=20))
    frequency = fields.String(validate=validate.OneOf(tuple(PER_YEAR)))
    reason = fields.String(allow_none=True, validate=validate.Length(max=200))


CHANGING = ("coverages", "sum_insured", "objects", "frequency")


def endorse(
    policy: Policy, actor: User | None, payload: dict, expected_version: int | None = None
) -> PolicyTransaction:
    """Endorse ``policy`` (rules above); one transaction; returns the endorsement."""
    check_version(policy, expected_version)
    POLICY.move(policy.status, "endorse")
    values = load(EndorseInput(), payload)
    if not any(key in values for key in CHANGING):
        refuse({"coverages": [_("say what the endorsement changes")]})
    effective_on = values.get("effective_on") or today()
    _check_effective(policy, effective_on)
    product = db.session.get(InsuranceProduct, policy.product_id)
    assert product is not None
    if "frequency" in values and values["frequency"] != policy.frequency:
        if values["frequency"] not in (product.frequencies or ["annual"]):
            refuse({"frequency": [_("the product is not paid at this frequency")]})
        instalment_count(product.term_months, values["frequency"])
    reason = (values.get("reason") or "").strip() or None
    with transaction():
        before = snapshot(policy)
        was = _terms(policy)
        old_annual, old_term = policy.annual_premium, policy.term_premium
        if "objects" in values:
            write_parties(policy, None, None, values["objects"])
        inputs = dict(policy.inputs or {})
        if "coverages" in values:
            inputs["coverages"] = _json_coverages(values["coverages"])
        if "sum_insured" in values:
            inputs["sum_insured"] = _text(values["sum_insured"])
        policy.inputs = inputs
        new_annual = reprice(policy)
        delta = premium_delta(policy, old_annual, new_annual, effective_on)
        if policy.status == "grace" and delta > 0:
            refuse({"premium_delta": [_("in the grace period a change may not raise the premium")]})
        policy.term_premium = old_term + delta  # the term's written premium
        if values.get("frequency", policy.frequency) != policy.frequency:
            _reschedule(policy, values["frequency"], effective_on)
        refund = respread(policy, delta, effective_on)
        row = add_transaction(
            policy,
            "endorsement",
            effective_on,
            delta,
            actor,
            number=next_number("insurance.endorsement", ENDORSEMENT_PATTERN),
            refund=refund if refund > 0 else None,
            changes={"before": was, "after": _terms(policy)},
            reason=reason,
        )
        if refund > 0:
            from ..premiums import payments  # the premiums slice's module

            payments.refund(policy, refund, effective_on, actor, reason or row.number or "")
        audit(actor, policy, "endorse", before, snapshot(policy))
        log_policy(
            policy,
            actor,
            _(
                "Policy %(number)s endorsed (%(endorsement)s): %(delta)s",
                number=policy.number,
                endorsement=row.number,
                delta=delta,
            ),
            reason,
        )
    return row


def premium_delta(policy: Policy, old_annual: Decimal, new_annual: Decimal, on: date) -> Decimal:
    """(new − old annual) × days(on..end) / days(term), half-up to the cent."""
    return prorate(
        Decimal(new_annual) - Decimal(old_annual),
        days(on, policy.end_date),
        term_days(policy.start_date, policy.end_date),
    )


def _check_effective(policy: Policy, effective_on: date) -> None:
    if not policy.start_date <= effective_on <= policy.end_date:
        refuse({"effective_on": [_("an endorsement takes effect within the term")]})
    last = db.session.scalar(
        select(func.max(PolicyTransaction.effective_on)).where(
            PolicyTransaction.policy_id == policy.id
        )
    )
    if last is not None and effective_on < last:
        refuse(
            {
                "effective_on": [
                    _("not before the last change of the policy (%(day)s)", day=last.isoformat())
                ]
            }
        )


def _terms(policy: Policy) -> dict:
    """What an endorsement may change, as JSON (its before or after)."""
    return {
        "annual_premium": str(policy.annual_premium),
        "term_premium": str(policy.term_premium),
        "sum_insured": str(policy.sum_insured),
        "frequency": policy.frequency,
        "coverages": [
            {
                "code": c.cover_code,
                "sum_insured": str(c.sum_insured),
                "deductible": str(c.deductible),
                "annual_premium": str(c.annual_premium),
            }
            for c in coverages_of(policy.id)
        ],
        "objects": [
            {
                "kind": o.kind,
                "description": o.description,
                "plate": o.plate,
                "vehicle_class": o.vehicle_class,
                "value": None if o.value is None else str(o.value),
            }
            for o in objects_of(policy.id)
        ],
    }


def _reschedule(policy: Policy, frequency: str, effective_on: date) -> None:
    """Re-split the open instalments due from ``effective_on`` on the new
    frequency's dates of the term (one due on ``effective_on`` when none is
    left); refused while one of them is paid in part."""
    rows = instalments(policy.id)
    moving = [r for r in rows if r.settled_on is None and r.due_on >= effective_on]
    if any(r.paid > 0 for r in moving):
        refuse({"frequency": [_("an instalment is paid in part: settle it first")]})
    owed = sum((r.amount for r in moving), ZERO)
    next_seq = max((r.seq for r in rows), default=0) + 1
    for row in moving:
        db.session.delete(row)
    db.session.flush()
    step = period_months(frequency)
    dues = [
        due
        for k in range(12 // step * 10)
        if effective_on <= (due := add_months(policy.start_date, k * step)) <= policy.end_date
    ]
    policy.frequency = frequency
    if owed > 0:
        dues = dues or [effective_on]
        for offset, (due, amount) in enumerate(zip(dues, split(owed, len(dues)), strict=True)):
            db.session.add(
                PremiumInstalment(
                    policy_id=policy.id,
                    seq=next_seq + offset,
                    due_on=due,
                    amount=amount,
                    paid=ZERO,
                    customer_id=policy.customer_id,
                    agent_id=policy.agent_id,
                    team_id=policy.team_id,
                    currency=policy.currency,
                )
            )
    db.session.flush()
    refresh_dues(policy)
