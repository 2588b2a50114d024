"""Endorsements (批改): the change prorated by hand for the days left, its
effective date within the term and after the last change, a rise refused
and a cut made in grace, a cut beyond what is owed refunded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import ValidationError, db
from plugins.insurance.models import Policy, PolicyTransaction, PremiumInstalment, PremiumPayment
from plugins.insurance.services.policies import endorsements, issuing

from .policy_fixtures import book, make_quote, move  # noqa: F401

# --- endorsements -------------------------------------------------------------------------


def _issued_2026(book, frequency="annual", **given) -> Policy:
    """A motor term 2026-01-01..2026-12-31 at 1,200.00 a year (TPL only)."""
    book.motor.backdate_days = 36500
    db.session.commit()
    given = {"coverages": [{"code": "TPL"}], **given}
    policy = make_quote(book, start_date="2026-01-01", frequency=frequency, **given)
    issuing.bind(policy, book.ann)
    return issuing.issue(policy, book.meg)


def test_an_endorsement_prorates_the_change_for_the_days_left(as_user, book):
    """Term 2026-01-01..2026-12-31 = 365 days at 1,200.00 a year; from
    2026-07-01 own damage on 150,000.00 at 4 ‰ adds 600.00 a year (1,800.00).
    Days left 2026-07-01..2026-12-31 = 31+31+30+31+30+31 = 184:
    600.00 × 184 / 365 = 302.4657… → 302.47. The single annual instalment
    (due 2026-01-01) is before the change, so a new one of 302.47 is due
    2026-07-01."""
    policy = _issued_2026(book)
    answer = move(
        as_user(book.ann),
        policy,
        "endorse",
        effective_on="2026-07-01",
        coverages=[{"code": "TPL"}, {"code": "OD", "sum_insured": "150000.00"}],
        reason="Own damage added",
    )
    assert answer.status_code == 200, answer.json
    last = answer.json["transactions"][-1]
    assert last["kind"] == "endorsement" and last["number"].startswith("PD-")
    assert (last["premium_delta"], last["annual_premium_after"]) == ("302.47", "1800.00")
    assert last["changes"]["before"]["annual_premium"] == "1200.00"
    assert [c["code"] for c in last["changes"]["after"]["coverages"]] == ["TPL", "OD"]
    assert answer.json["term_premium"] == "1502.47" and answer.json["sum_insured"] == "150000.00"
    rows = db.session.scalars(
        select(PremiumInstalment)
        .where(PremiumInstalment.policy_id == policy.id)
        .order_by(PremiumInstalment.seq)
    ).all()
    assert [(r.due_on, r.amount) for r in rows] == [
        (date(2026, 1, 1), Decimal("1200.00")),
        (date(2026, 7, 1), Decimal("302.47")),
    ]


def test_an_endorsement_cannot_go_back_before_the_last_change_or_leave_the_term(book):
    policy = _issued_2026(book)
    endorsements.endorse(
        policy,
        book.ann,
        {
            "effective_on": "2026-07-01",
            "coverages": [{"code": "TPL"}, {"code": "OD", "sum_insured": "2000.00"}],
        },
    )
    for day in ("2026-06-30", "2027-01-01"):
        with pytest.raises(ValidationError) as refused:
            endorsements.endorse(
                policy, book.ann, {"effective_on": day, "coverages": [{"code": "TPL"}]}
            )
        assert "effective_on" in refused.value.errors
        db.session.rollback()


def test_in_grace_a_rise_is_refused_and_a_cut_is_made(as_user, book):
    policy = _issued_2026(
        book,
        frequency="monthly",
        coverages=[{"code": "TPL"}, {"code": "OD", "sum_insured": "150000.00"}],
    )
    policy.status = "grace"  # the arrears job's move
    db.session.commit()
    rise = move(
        as_user(book.ann),
        policy,
        "endorse",
        effective_on="2026-12-01",
        coverages=[{"code": "TPL"}, {"code": "OD", "sum_insured": "300000.00"}],
    )
    assert rise.status_code == 422 and "premium_delta" in rise.json["errors"]
    assert (
        db.session.scalar(select(func.count()).where(PolicyTransaction.policy_id == policy.id)) == 1
    )
    cut = move(
        as_user(book.ann), policy, "endorse", effective_on="2026-12-01", coverages=[{"code": "TPL"}]
    )
    assert cut.status_code == 200, cut.json
    # 600.00 a year less for 31 of 365 days: −50.96 (50.958…), off December's open 150.00
    assert cut.json["transactions"][-1]["premium_delta"] == "-50.96"
    assert cut.json["status"] == "grace"
    december = db.session.scalar(
        select(PremiumInstalment).where(
            PremiumInstalment.policy_id == policy.id, PremiumInstalment.due_on == date(2026, 12, 1)
        )
    )
    assert december.amount == Decimal("99.04")


def test_a_cut_beyond_what_is_owed_is_refunded(book):
    """1,800.00 a year paid in full on 2026-01-02; from 2026-07-01 own
    damage (600.00 a year) is dropped: −600.00 × 184 / 365 = −302.4657… →
    −302.47. Nothing is left to pay after 2026-07-01, so 302.47 goes back
    to the policyholder as a refund payment."""
    from plugins.insurance.services.premiums import payments

    policy = _issued_2026(
        book, coverages=[{"code": "TPL"}, {"code": "OD", "sum_insured": "150000.00"}]
    )
    payments.record_payment(policy, book.meg, "1800.00", date(2026, 1, 2), "bank_transfer")
    row = endorsements.endorse(
        policy, book.ann, {"effective_on": "2026-07-01", "coverages": [{"code": "TPL"}]}
    )
    assert (row.premium_delta, row.refund) == (Decimal("-302.47"), Decimal("302.47"))
    assert policy.term_premium == Decimal("1497.53") and policy.annual_premium == Decimal("1200.00")
    back = db.session.scalars(
        select(PremiumPayment.amount).where(
            PremiumPayment.policy_id == policy.id, PremiumPayment.amount < 0
        )
    ).all()
    assert back == [Decimal("-302.47")]
