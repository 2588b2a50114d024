"""Cancelling a policy term (退保) and what it gives back.

Before issue (a draft, a quote, a bound quote) a cancellation is a quote not
taken: the term becomes ``cancelled`` with its reason and nothing else is
written. After issue it is a ``cancellation`` transaction effective on a
day of the term (``effective_on``, default today; 422 ``effective_on``
outside ``[start_date, end_date]``), and the money follows the plan's §3.3:

- **within the cooling-off period** (犹豫期: ``effective_on`` on or before
  ``cooling_off_ends_on``): the whole term is reversed (delta = −the term's
  written premium) and everything paid comes back less the product's
  ``cooling_off_fee`` (never below 0);
- **after it, non-life** (motor, property, health, accident): the premium
  of the days covered is earned, pro rata — earned = written ×
  days(start_date .. effective_on − 1) / days(term), half-up; refund =
  max(0, paid − earned); delta = −(written − earned);
- **after it, life**: the refund is the carrier's cash value, typed by the
  user (``refund``, 0 ≤ refund ≤ paid; required — 422 ``refund``); delta as
  for non-life;
- **a lapsed term**: no refund, delta 0 (its lapse already took off the
  premium of the days it did not cover).

"Paid" is what the instalments hold less the refunds already paid out;
"written" the sum of the term's transactions (new business or renewal and
its endorsements), the term premium when it has none. The term's open
instalments are closed at what was paid (``settled_on`` = the cancel day),
the refund is paid out as a negative payment (the premiums' service, which
books its negative commission), the agent's first-year commission is
clawed back when the product says so, and the term is ``cancelled`` with
``cancelled_on`` = the effective day. One transaction with the version
check; audited, on the policyholder's timeline, ``insurance_policy_cancelled``
after commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from core.api import User, audit, check_version, db, emit, refuse, snapshot, transaction, translator

from ...models import InsuranceProduct, Policy, PolicyTransaction, PremiumPayment
from ..commission.lines import claw_back
from ..premiums.schedule import instalments
from ..states import POLICY
from ..terms import ZERO, days, half_up, prorate, term_days, today
from .journal import log_policy
from .transactions import add_transaction

_, _l = translator("insurance")

#: the states a term is in before it is issued: cancelling writes no transaction
NOT_ISSUED = ("draft", "quoted", "bound")
#: the line whose refund after the cooling-off is the carrier's cash value
CASH_VALUE_LINES = ("life",)


def paid_net(policy: Policy) -> Decimal:
    """What the policyholder has paid for the term and not had back: the
    instalments' ``paid`` less the refunds (negative payments) already
    paid out and not reversed."""
    paid = sum((row.paid for row in instalments(policy.id)), ZERO)
    refunded = db.session.scalar(
        select(func.coalesce(func.sum(PremiumPayment.amount), 0)).where(
            PremiumPayment.policy_id == policy.id,
            PremiumPayment.amount < 0,
            PremiumPayment.reversed_at.is_(None),
            PremiumPayment.deleted_at.is_(None),
        )
    )
    return half_up(paid + Decimal(refunded or 0))


def written(policy: Policy) -> Decimal:
    """The term's written premium: the sum of its transactions' changes
    (the term premium when it has none, as a migrated term may not)."""
    total = db.session.scalar(
        select(func.sum(PolicyTransaction.premium_delta)).where(
            PolicyTransaction.policy_id == policy.id
        )
    )
    return policy.term_premium if total is None else Decimal(total)


def in_cooling_off(policy: Policy, on: date) -> bool:
    """Does a cancellation effective ``on`` fall in the cooling-off period?"""
    return policy.cooling_off_ends_on is not None and on <= policy.cooling_off_ends_on


def default_effective_on(policy: Policy) -> date:
    """Today, kept within the term (a term not yet started cancels on its first day)."""
    return min(max(today(), policy.start_date), policy.end_date)


def terms_of(
    policy: Policy, effective_on: date, refund: Decimal | str | None = None
) -> tuple[Decimal, Decimal]:
    """(premium delta, refund) of cancelling the issued ``policy`` on
    ``effective_on`` — the rules in this module's docstring; 422 ``refund``
    when a life term past its cooling-off needs one and it is missing or
    out of bounds."""
    paid = paid_net(policy)
    whole = written(policy)
    if policy.status == "lapsed":
        return ZERO, ZERO
    if in_cooling_off(policy, effective_on):
        product = db.session.get(InsuranceProduct, policy.product_id)
        fee = product.cooling_off_fee if product is not None else ZERO
        return -whole, max(ZERO, half_up(paid - (fee or ZERO)))
    earned = prorate(
        whole,
        days(policy.start_date, effective_on) - 1,
        term_days(policy.start_date, policy.end_date),
    )
    delta = -(whole - earned)
    if policy.line in CASH_VALUE_LINES:
        if refund is None or refund == "":
            refuse({"refund": [_("give the refund (the policy's cash value)")]})
        try:
            typed = half_up(Decimal(str(refund)))
        except ArithmeticError:
            refuse({"refund": [_("not a number")]})
        if typed < 0 or typed > paid:
            refuse({"refund": [_("from 0 to what was paid, %(paid)s", paid=f"{paid:,.2f}")]})
        return delta, typed
    return delta, max(ZERO, half_up(paid - earned))


def cancel(
    policy: Policy,
    actor: User | None,
    *,
    effective_on: date | None = None,
    refund: Decimal | str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Policy:
    """Cancel ``policy`` (one term): see the module's docstring. Returns it."""
    target = POLICY.move(policy.status, "cancel")
    check_version(policy, expected_version)
    reason = (reason or "").strip()[:200] or None
    if policy.status in NOT_ISSUED:
        return _cancel_quote(policy, actor, target, reason)
    on = effective_on or default_effective_on(policy)
    if not policy.start_date <= on <= policy.end_date:
        refuse(
            {
                "effective_on": [
                    _(
                        "within the term, %(start)s to %(end)s",
                        start=policy.start_date.isoformat(),
                        end=policy.end_date.isoformat(),
                    )
                ]
            }
        )
    delta, amount = terms_of(policy, on, refund)
    with transaction():
        before = snapshot(policy)
        row = add_transaction(
            policy, "cancellation", on, delta, actor, refund=amount, reason=reason
        )
        for instalment in instalments(policy.id):
            if instalment.settled_on is None:
                instalment.amount = instalment.paid
                instalment.settled_on = on
        policy.status = target
        policy.cancelled_on = on
        policy.cancel_reason = reason
        policy.next_due_on = None
        policy.grace_ends_on = None
        db.session.flush()
        if amount > 0:
            from ..premiums.payments import refund as pay_refund  # the premiums' service

            pay_refund(policy, amount, on, actor, reason or _("Cancellation"))
        claw_back(policy, on)
        audit(actor, policy, "cancel", before, snapshot(policy))
        log_policy(
            policy,
            actor,
            _("Policy %(number)s cancelled", number=policy.display_number),
            _(
                "Effective %(on)s, refund %(refund)s %(currency)s",
                on=on.isoformat(),
                refund=f"{amount:,.2f}",
                currency=policy.currency,
            )
            + (f" — {reason}" if reason else ""),
        )
        emit("insurance_policy_cancelled", policy=policy, transaction=row)
    return policy


def _cancel_quote(policy: Policy, actor: User | None, target: str, reason: str | None) -> Policy:
    """A quote not taken: the state and the reason, no transaction."""
    with transaction():
        before = snapshot(policy)
        policy.status = target
        policy.cancelled_on = today()
        policy.cancel_reason = reason
        audit(actor, policy, "cancel", before, snapshot(policy))
        log_policy(
            policy, actor, _("Quote %(number)s cancelled", number=policy.display_number), reason
        )
        emit("insurance_policy_cancelled", policy=policy, transaction=None)
    return policy
