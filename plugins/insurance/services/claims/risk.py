"""Risk warnings (风险预警) on a claim, worked out when it is reported:
the rule codes that fire go to ``risk_flags`` (``risk_count`` their number),
for the assessor to review.

- ``not_covered``: the term did not cover the loss date (only reachable as
  a recorded exception);
- ``early_claim``: the loss came within ``early_claim_days`` (90) of the
  policy's inception (term 1's start, so a renewal is not "new");
- ``frequent``: the policyholder has ``frequent_count`` (3) or more claims,
  this one included, with a loss in the ``frequent_days`` (365) up to this
  one's (withdrawn claims left out);
- ``sum_outlier``: the term's sum insured is more than ``sum_factor`` (3)
  times the product's norm (no norm: never);
- ``late_report``: reported more than ``late_days`` (30) after the loss;
- ``raised_cover``: an endorsement that raised the term's sum insured took
  effect within ``raised_days`` (30) before the loss.

The thresholds are the plugin settings of those names when an instance
sets them, else the defaults above."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import exists, func, select

from core.api import db, plugin_settings

from ...models import Claim, ClaimEvent, InsuranceProduct, Policy, PolicyTransaction

DEFAULTS = {
    "early_claim_days": 90,
    "frequent_count": 3,
    "frequent_days": 365,
    "sum_factor": 3,
    "late_days": 30,
    "raised_days": 30,
}


def _setting(name: str) -> int:
    value = plugin_settings("insurance").get(name)
    return int(value) if isinstance(value, int) and value >= 0 else DEFAULTS[name]


def risk_flags(
    policy: Policy, loss_date: date, reported_on: date, *, not_covered: bool
) -> list[str]:
    """The codes of the risk rules a claim on ``policy`` for ``loss_date``,
    reported on ``reported_on``, fires — before it is stored (it counts itself)."""
    flags = ["not_covered"] if not_covered else []
    if (loss_date - policy.inception_on).days < _setting("early_claim_days"):
        flags.append("early_claim")
    if _earlier_claims(policy.customer_id, loss_date) + 1 >= _setting("frequent_count"):
        flags.append("frequent")
    norm = db.session.scalar(
        select(InsuranceProduct.norm_sum_insured).where(InsuranceProduct.id == policy.product_id)
    )
    if norm is not None and policy.sum_insured > Decimal(norm) * _setting("sum_factor"):
        flags.append("sum_outlier")
    if (reported_on - loss_date).days > _setting("late_days"):
        flags.append("late_report")
    if _cover_raised(policy.id, loss_date):
        flags.append("raised_cover")
    return flags


def _cover_raised(policy_id: int, loss_date: date) -> bool:
    """Whether an endorsement raising the sum insured took effect in the
    ``raised_days`` up to ``loss_date`` (its before and after are in its
    ``changes``)."""
    changes = db.session.scalars(
        select(PolicyTransaction.changes).where(
            PolicyTransaction.policy_id == policy_id,
            PolicyTransaction.kind == "endorsement",
            PolicyTransaction.effective_on <= loss_date,
            PolicyTransaction.effective_on >= loss_date - timedelta(days=_setting("raised_days")),
        )
    )
    return any(
        Decimal((c.get("after") or {}).get("sum_insured") or 0)
        > Decimal((c.get("before") or {}).get("sum_insured") or 0)
        for c in changes
        if c
    )


def _earlier_claims(customer_id: int, loss_date: date) -> int:
    """The policyholder's stored claims with a loss in the window before
    ``loss_date`` (inclusive), withdrawn ones left out."""
    withdrawn = exists().where(ClaimEvent.claim_id == Claim.id, ClaimEvent.action == "withdraw")
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Claim)
            .where(
                Claim.customer_id == customer_id,
                Claim.deleted_at.is_(None),
                Claim.loss_date <= loss_date,
                Claim.loss_date >= loss_date - timedelta(days=_setting("frequent_days")),
                ~withdrawn,
            )
        )
        or 0
    )
