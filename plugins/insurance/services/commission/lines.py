"""The commission lines a premium payment earns, and what a lapse or an
early cancellation claws back — written in the payment's (or the move's)
own transaction, never changed afterwards.

On a payment (a refund is a negative payment and earns negative lines): the
rule is the product's effective on the instalment's due date, else the
carrier-wide one, else none (a line at rate 0, so the gap shows). ``basis``
is first-year on term 1, renewal after; ``expected`` (carrier → agency) =
amount × rate, half-up; ``agent_amount`` = expected × the agent's share; the
agent's upline (the team leader, 主管) gets an override line of expected ×
``leader_override``, in the upline's team. A reversed payment writes
``reversal`` lines that cancel its lines. Booking or reversing a payment
twice writes nothing more (``uq_insurance_commission_payment`` holds one
line per payment, kind and agent).

Clawback: a term 1 that lapses or is cancelled before ``clawback_months``
from inception gives back ``clawback_percent`` of the agent's first-year
commission on it, net of what refunds already took back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select

from core.api import User, add_months, db

from ...models import (
    Agent,
    CommissionLine,
    InsuranceCommissionRule,
    InsuranceProduct,
    Policy,
    PremiumInstalment,
    PremiumPayment,
)
from ..terms import ZERO, half_up, today


def rule_for(policy: Policy, on: date) -> InsuranceCommissionRule | None:
    """The rule for ``policy``'s product effective ``on`` (the product's own first)."""
    return db.session.scalar(
        select(InsuranceCommissionRule)
        .where(
            InsuranceCommissionRule.carrier_id == policy.carrier_id,
            or_(
                InsuranceCommissionRule.product_id == policy.product_id,
                InsuranceCommissionRule.product_id.is_(None),
            ),
            InsuranceCommissionRule.effective_from <= on,
            or_(
                InsuranceCommissionRule.effective_to.is_(None),
                InsuranceCommissionRule.effective_to >= on,
            ),
        )
        .order_by(
            InsuranceCommissionRule.product_id.is_(None),
            InsuranceCommissionRule.effective_from.desc(),
        )
        .limit(1)
    )


def upline_of(user_id: int | None) -> int | None:
    """The team leader credited with overrides on ``user_id``'s business."""
    if user_id is None:
        return None
    return db.session.scalar(select(Agent.upline_user_id).where(Agent.user_id == user_id))


def _line(
    policy: Policy, kind: str, month: date, *, team_id: int | None = None, **values
) -> CommissionLine:
    row = CommissionLine(
        kind=kind,
        policy_id=policy.id,
        term_no=policy.term_no,
        basis="first_year" if policy.term_no == 1 else "renewal",
        carrier_id=policy.carrier_id,
        product_id=policy.product_id,
        team_id=policy.team_id if team_id is None else team_id,
        month=month,
        currency=policy.currency,
        **values,
    )
    db.session.add(row)
    return row


def _lines_of(payment_id: int, kinds: tuple[str, ...]) -> list[CommissionLine]:
    return list(
        db.session.scalars(
            select(CommissionLine)
            .where(CommissionLine.payment_id == payment_id, CommissionLine.kind.in_(kinds))
            .order_by(CommissionLine.id)
        )
    )


def book_payment(payment: PremiumPayment) -> list[CommissionLine]:
    """The lines ``payment`` earns (negative for a refund): the agent's
    commission line and, when the rule gives the upline an override, the
    upline's. A payment booked already keeps its lines (they are returned)."""
    policy = db.session.get(Policy, payment.policy_id)
    assert policy is not None  # a foreign key
    booked = _lines_of(payment.id, ("commission", "override"))
    if booked:
        return booked
    instalment = (
        db.session.get(PremiumInstalment, payment.instalment_id) if payment.instalment_id else None
    )
    rule = rule_for(policy, instalment.due_on if instalment else payment.paid_on)
    rate = ZERO
    share = Decimal("1")
    override = ZERO
    if rule is not None:
        rate = rule.first_year_rate if policy.term_no == 1 else rule.renewal_rate
        share, override = rule.agent_share, rule.leader_override
    expected = half_up(payment.amount * rate)
    month = payment.paid_on.replace(day=1)
    lines = [
        _line(
            policy,
            "commission",
            month,
            payment_id=payment.id,
            agent_id=policy.agent_id,
            premium=payment.amount,
            rate=rate,
            expected=expected,
            agent_amount=half_up(expected * share),
        )
    ]
    upline = upline_of(policy.agent_id)
    if upline is not None and upline != policy.agent_id and override:
        lines.append(
            _line(
                policy,
                "override",
                month,
                team_id=db.session.scalar(select(User.team_id).where(User.id == upline)),
                payment_id=payment.id,
                agent_id=upline,
                premium=payment.amount,
                rate=rate,
                expected=ZERO,
                agent_amount=half_up(expected * override),
            )
        )
    db.session.flush()
    return lines


def reverse_payment(payment: PremiumPayment, on: date) -> list[CommissionLine]:
    """Lines that cancel ``payment``'s, booked in the month of ``on`` (each
    credited to whom the cancelled line was, in that line's team). A payment
    reversed already gets no second reversal: ``[]``."""
    policy = db.session.get(Policy, payment.policy_id)
    assert policy is not None
    if _lines_of(payment.id, ("reversal",)):
        return []
    booked = _lines_of(payment.id, ("commission", "override"))
    lines = [
        _line(
            policy,
            "reversal",
            on.replace(day=1),
            team_id=row.team_id,
            payment_id=payment.id,
            agent_id=row.agent_id,
            premium=-row.premium,
            rate=row.rate,
            expected=-row.expected,
            agent_amount=-row.agent_amount,
        )
        for row in booked
    ]
    db.session.flush()
    return lines


def claw_back(policy: Policy, effective_on: date) -> CommissionLine | None:
    """Take back the agent's first-year commission on a term 1 that ends
    early (lapse, cancellation) within the product's clawback months."""
    if policy.term_no != 1 or policy.agent_id is None:
        return None
    product = db.session.get(InsuranceProduct, policy.product_id)
    assert product is not None
    if not product.clawback_months or effective_on >= add_months(
        policy.inception_on, product.clawback_months
    ):
        return None
    earned = db.session.scalar(
        select(func.coalesce(func.sum(CommissionLine.agent_amount), 0)).where(
            CommissionLine.policy_id == policy.id,
            CommissionLine.agent_id == policy.agent_id,
            CommissionLine.basis == "first_year",
            CommissionLine.kind.in_(("commission", "reversal", "clawback")),
        )
    )
    amount = half_up(Decimal(earned or 0) * product.clawback_percent / 100)
    if amount <= 0:
        return None
    line = _line(
        policy,
        "clawback",
        today().replace(day=1),  # booked when it is taken back
        payment_id=None,
        agent_id=policy.agent_id,
        premium=ZERO,
        rate=ZERO,
        expected=ZERO,
        agent_amount=-amount,
    )
    db.session.flush()
    return line


def restore_clawback(policy: Policy) -> CommissionLine | None:
    """Give back what lapses clawed back on ``policy`` once it is reinstated:
    one clawback line of the opposite sign, so the term's clawbacks net to
    nothing (a later lapse claws back again from the whole)."""
    taken = db.session.scalar(
        select(func.coalesce(func.sum(CommissionLine.agent_amount), 0)).where(
            CommissionLine.policy_id == policy.id,
            CommissionLine.agent_id == policy.agent_id,
            CommissionLine.kind == "clawback",
        )
    )
    if policy.agent_id is None or Decimal(taken or 0) >= 0:
        return None
    line = _line(
        policy,
        "clawback",
        today().replace(day=1),
        payment_id=None,
        agent_id=policy.agent_id,
        premium=ZERO,
        rate=ZERO,
        expected=ZERO,
        agent_amount=-Decimal(taken),
    )
    db.session.flush()
    return line
