"""Cancelling a term (退保): a quote not taken writes no transaction; within
the cooling-off period everything paid comes back less the product's fee;
after it a non-life term keeps the premium of the days covered (computed
by hand below); a life term refunds the cash value typed in, within what
was paid; a lapsed term refunds nothing; the effective day stays within
the term; a stale version, another agent's policy and the API's
dispatcher."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import StaleVersionError, ValidationError, db
from plugins.insurance.models import (
    CommissionLine,
    InsuranceCommissionRule,
    Policy,
    PolicyTransaction,
    PremiumInstalment,
    PremiumPayment,
)
from plugins.insurance.services.policies.cancellation import cancel
from plugins.insurance.services.terms import today

from .factories import make_policy
from .test_renewals_fixtures import book, issued, pay  # noqa: F401

API = "/api/v1/insurance"


def _transactions(policy) -> list[PolicyTransaction]:
    return list(
        db.session.scalars(
            select(PolicyTransaction)
            .where(PolicyTransaction.policy_id == policy.id)
            .order_by(PolicyTransaction.seq)
        )
    )


def _refunds(policy) -> list[Decimal]:
    return list(
        db.session.scalars(
            select(PremiumPayment.amount).where(
                PremiumPayment.policy_id == policy.id, PremiumPayment.amount < 0
            )
        )
    )


def test_a_quote_not_taken_is_cancelled_without_a_transaction(book):  # noqa: F811
    quote = make_policy(
        book.harbour, book.ann, None, today(), today() + timedelta(364), status="quoted"
    )
    quote.quote_number = "BJ-TEST-1"
    db.session.commit()
    cancel(quote, book.ann, reason="Went elsewhere")
    db.session.expire_all()
    quote = db.session.get(Policy, quote.id)
    assert (quote.status, quote.cancel_reason, quote.cancelled_on) == (
        "cancelled",
        "Went elsewhere",
        today(),
    )
    assert _transactions(quote) == []


def test_within_the_cooling_off_everything_paid_comes_back_less_the_fee(book):  # noqa: F811
    start = today() - timedelta(5)
    policy = issued(
        book.harbour,
        book.ann,
        "P-COOL",
        start,
        premium="1200.00",
        frequency="quarterly",
        cooling_off_ends_on=today() + timedelta(10),
        product_fields={"cooling_off_fee": Decimal("50.00")},
    )
    db.session.add(
        InsuranceCommissionRule(
            carrier_id=policy.carrier_id,
            product_id=policy.product_id,
            first_year_rate=Decimal("0.2000"),
            renewal_rate=Decimal("0.0500"),
            effective_from=date(2000, 1, 1),
        )
    )
    db.session.commit()
    pay(policy, book.ann, "300.00")  # the first quarter
    cancel(policy, book.ann, reason="Changed her mind")
    db.session.expire_all()
    policy = db.session.get(Policy, policy.id)
    last = _transactions(policy)[-1]
    assert policy.status == "cancelled" and policy.cancelled_on == today()
    # the whole term reversed; 300.00 paid − 50.00 fee back
    assert (last.kind, last.premium_delta, last.refund) == (
        "cancellation",
        Decimal("-1200.00"),
        Decimal("250.00"),
    )
    assert sum(t.premium_delta for t in _transactions(policy)) == 0
    assert _refunds(policy) == [Decimal("-250.00")]
    rows = db.session.scalars(
        select(PremiumInstalment)
        .where(PremiumInstalment.policy_id == policy.id)
        .order_by(PremiumInstalment.seq)
    ).all()
    assert [(r.amount, r.settled_on is not None) for r in rows] == [
        (Decimal("300.00"), True),
        (Decimal("0.00"), True),
        (Decimal("0.00"), True),
        (Decimal("0.00"), True),
    ]
    # the agent's commission on the term is all taken back (the refund's lines and the clawback)
    net = db.session.scalar(
        select(func.sum(CommissionLine.agent_amount)).where(CommissionLine.policy_id == policy.id)
    )
    assert Decimal(net) == 0


def test_the_fee_never_makes_a_negative_refund(book):  # noqa: F811
    policy = issued(
        book.harbour,
        book.ann,
        "P-FEE",
        today(),
        cooling_off_ends_on=today() + timedelta(15),
        product="Cheap motor",
        product_fields={"cooling_off_fee": Decimal("80.00")},
        frequency="monthly",
        premium="600.00",
    )
    pay(policy, book.ann, "50.00")
    cancel(policy, book.ann)
    assert _transactions(policy)[-1].refund == Decimal("0.00") and _refunds(policy) == []


def test_after_the_cooling_off_a_motor_term_keeps_the_days_covered(book):  # noqa: F811
    """Term 2025-01-01 – 2025-12-31 (365 days) at 1,000.00, paid quarterly;
    the first quarter (250.00) paid. Cancelled effective 2025-02-10: covered
    2025-01-01 – 2025-02-09 = 40 days, earned = 1,000.00 × 40 / 365 =
    109.589… → 109.59; refund = 250.00 − 109.59 = 140.41; delta =
    −(1,000.00 − 109.59) = −890.41."""
    policy = issued(
        book.harbour,
        book.ann,
        "P-PRORATA",
        date(2025, 1, 1),
        premium="1000.00",
        frequency="quarterly",
        cooling_off_ends_on=date(2025, 1, 16),
    )
    pay(policy, book.ann, "250.00", date(2025, 1, 1))
    cancel(policy, book.ann, effective_on=date(2025, 2, 10), reason="Sold the car")
    last = _transactions(policy)[-1]
    assert (last.premium_delta, last.refund, last.effective_on) == (
        Decimal("-890.41"),
        Decimal("140.41"),
        date(2025, 2, 10),
    )
    assert _refunds(policy) == [Decimal("-140.41")]
    assert db.session.get(Policy, policy.id).cancelled_on == date(2025, 2, 10)


def test_a_life_term_refunds_the_cash_value_typed_within_what_was_paid(book):  # noqa: F811
    start = today() - timedelta(100)
    policy = issued(
        book.harbour,
        book.ann,
        "P-LIFE",
        start,
        premium="2400.00",
        product="Whole life",
        line="life",
        frequency="monthly",
        cooling_off_ends_on=start + timedelta(15),
    )
    for _month in range(3):
        pay(policy, book.ann, "200.00")  # 600.00 paid
    for refund, field in ((None, "refund"), ("600.01", "refund"), ("-1", "refund")):
        with pytest.raises(ValidationError) as refused:
            cancel(policy, book.ann, refund=refund)
        assert field in refused.value.errors
        db.session.rollback()
    assert db.session.get(Policy, policy.id).status == "in_force"
    cancel(policy, book.ann, refund="420.00")
    last = _transactions(policy)[-1]
    assert last.refund == Decimal("420.00") and _refunds(policy) == [Decimal("-420.00")]


def test_a_lapsed_term_is_cancelled_without_a_refund(book):  # noqa: F811
    policy = issued(
        book.harbour, book.ann, "P-LAPSED", today() - timedelta(200), frequency="monthly"
    )
    pay(policy, book.ann, "100.00")
    policy.status = "lapsed"
    db.session.commit()
    cancel(policy, book.ann)
    last = _transactions(policy)[-1]
    assert (last.kind, last.premium_delta, last.refund) == (
        "cancellation",
        Decimal("0"),
        Decimal("0"),
    )
    assert _refunds(policy) == [] and db.session.get(Policy, policy.id).status == "cancelled"


def test_the_effective_day_stays_within_the_term_and_the_version_is_checked(book):  # noqa: F811
    policy = issued(book.harbour, book.ann, "P-DAYS", today() - timedelta(10))
    for day in (policy.start_date - timedelta(1), policy.end_date + timedelta(1)):
        with pytest.raises(ValidationError) as refused:
            cancel(policy, book.ann, effective_on=day)
        assert "effective_on" in refused.value.errors
    with pytest.raises(StaleVersionError):
        cancel(policy, book.ann, expected_version=policy.version + 1)
    assert _transactions(policy)[-1].kind == "new_business"


def test_cancel_through_the_api_and_not_on_another_agents_policy(as_user, book):  # noqa: F811
    mine = issued(book.harbour, book.ann, "P-API", today() - timedelta(30))
    theirs = issued(book.elsewhere, book.bob, "P-BOB", today() - timedelta(30))
    api = as_user(book.ann)
    hidden = api.post(
        f"{API}/policies/{theirs.id}/transitions",
        json={"action": "cancel", "version": theirs.version},
    )
    assert hidden.status_code == 404
    answer = api.post(
        f"{API}/policies/{mine.id}/transitions",
        json={"action": "cancel", "version": mine.version, "reason": "Moved abroad"},
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "cancelled"
    again = api.post(
        f"{API}/policies/{mine.id}/transitions",
        json={"action": "cancel", "version": answer.json["version"]},
    )
    assert again.status_code == 409
