"""The nightly arrears job (plan §3.1, §2.1 lapse): a term in force with an
instalment due before the day enters grace until that due date + the
product's grace days; a term whose grace ended lapses with a ``lapse``
transaction taking the uncovered rest of the premium off (computed by hand
below), a clawback and the ``insurance_policy_lapsed`` event; quotes past
their validity are cancelled; a payment in grace puts the term back in
force; running the job twice the same day changes nothing more; the job is
registered to run daily."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from core.api import db
from core.testing import plugin_module
from plugins.insurance.models import (
    CommissionLine,
    InsuranceCommissionRule,
    Policy,
    PolicyTransaction,
)
from plugins.insurance.services.policies.transactions import history
from plugins.insurance.services.premiums import payments, schedule
from plugins.insurance.services.premiums.arrears import run_arrears
from plugins.insurance.services.terms import today

from .factories import make_issued_policy, make_policy

D = Decimal


@pytest.fixture
def book(make_user, make_customer):
    agent = make_user(role="insurance_agent", name="Ann Agent")
    customer = make_customer(name="Harbour Freight", owner_id=agent.id)
    return SimpleNamespace(agent=agent, customer=customer, day=today())


def _quarterly_2025(book, number="P-AR-1"):
    """1,000.00 a year from 1 Jan 2025, quarterly: 250.00 due 1 Jan, 1 Apr,
    1 Jul, 1 Oct; the first two paid (paid to 30 June), grace 30 days."""
    policy = make_issued_policy(
        book.customer,
        book.agent,
        number,
        date(2025, 1, 1),
        frequency="quarterly",
        premium="1000.00",
        product_fields={"grace_days": 30, "clawback_months": 0},
    )
    db.session.commit()
    for paid_on in (date(2025, 1, 1), date(2025, 4, 1)):
        payments.record_payment(policy, book.agent, "250.00", paid_on, "bank_transfer")
    return policy


def _audits(action: str) -> int:
    """The audit entries of ``action`` on a policy with no actor (the job's)."""
    return db.session.scalar(
        text(
            "SELECT count(*) FROM audit_entry WHERE action = :action"
            " AND entity = 'insurance_policy' AND user_id IS NULL"
        ),
        {"action": action},
    )


def test_grace_then_lapse_with_the_lapse_delta_by_hand(book, register_plugin):
    lapsed = []
    register_plugin(
        plugin_module(
            "probe",
            trellis_insurance_policy_lapsed=lambda policy, transaction: lapsed.append(
                (policy.number, transaction.kind)
            ),
        )
    )
    policy = _quarterly_2025(book)
    assert (policy.paid_to_date, policy.next_due_on) == (date(2025, 6, 30), date(2025, 7, 1))
    # on 1 July the instalment is due, not yet overdue
    assert run_arrears(date(2025, 7, 1))["graced"] == 0
    read = policy.version
    counts = run_arrears(date(2025, 7, 2))
    assert counts["graced"] == 1 and counts["lapsed"] == 0
    db.session.expire_all()
    policy = db.session.get(Policy, policy.id)
    assert (policy.status, policy.grace_ends_on) == ("grace", date(2025, 7, 31))
    assert policy.version == read + 1  # a payment made on the old read is a 409
    assert _audits("enter_grace") == 1
    # the grace period's last day is 31 July: on 1 August it has ended
    assert run_arrears(date(2025, 7, 31))["lapsed"] == 0
    counts = run_arrears(date(2025, 8, 1))
    assert counts == {"graced": 0, "lapsed": 1, "expired": counts["expired"], "quotes": 0}
    db.session.expire_all()
    policy = db.session.get(Policy, policy.id)
    assert (policy.status, policy.lapsed_on) == ("lapsed", date(2025, 8, 1))
    lapse = history(policy.id)[-1]
    # uncovered from 1 July (the day after paid-to) to 31 December: 31+31+30+31+30+31 =
    # 184 days of 365; 1,000.00 × 184 / 365 = 504.1095… → 504.11 off the term's premium
    assert (lapse.kind, lapse.effective_on, lapse.premium_delta) == (
        "lapse",
        date(2025, 7, 1),
        D("-504.11"),
    )
    assert lapse.actor_id is None and _audits("lapse") == 1
    assert lapsed == [("P-AR-1", "lapse")]


def test_nothing_paid_lapses_from_the_start(book):
    policy = make_issued_policy(
        book.customer,
        book.agent,
        "P-AR-NONE",
        date(2025, 1, 1),
        premium="730.00",
        product_fields={"grace_days": 10},
    )
    db.session.commit()
    run_arrears(date(2025, 1, 2))
    run_arrears(date(2025, 1, 12))
    db.session.expire_all()
    lapse = history(policy.id)[-1]
    # the whole year uncovered: −730.00 × 365 / 365
    assert (lapse.effective_on, lapse.premium_delta) == (date(2025, 1, 1), D("-730.00"))


def test_running_twice_the_same_day_changes_nothing_more(book):
    policy = _quarterly_2025(book)
    other = _quarterly_2025(book, "P-AR-2")
    run_arrears(date(2025, 7, 2))
    again = run_arrears(date(2025, 7, 2))
    assert again["graced"] == 0 and again["lapsed"] == 0
    assert _audits("enter_grace") == 2
    first = run_arrears(date(2025, 8, 5))
    transactions = db.session.scalar(select(func.count()).select_from(PolicyTransaction))
    second = run_arrears(date(2025, 8, 5))
    assert first["lapsed"] == 2 and second == {**second, "graced": 0, "lapsed": 0, "quotes": 0}
    assert db.session.scalar(select(func.count()).select_from(PolicyTransaction)) == transactions
    assert _audits("lapse") == 2
    db.session.expire_all()
    assert {db.session.get(Policy, p.id).status for p in (policy, other)} == {"lapsed"}


def test_a_lapse_within_the_clawback_months_claws_back_first_year_commission(book):
    policy = make_issued_policy(
        book.customer,
        book.agent,
        "P-AR-CLAW",
        date(2025, 1, 1),
        frequency="quarterly",
        premium="1000.00",
        product_fields={"grace_days": 30, "clawback_months": 12, "clawback_percent": D("100")},
    )
    db.session.add(
        InsuranceCommissionRule(
            carrier_id=policy.carrier_id,
            first_year_rate=D("0.2"),
            renewal_rate=D("0.05"),
            effective_from=date(2024, 1, 1),
        )
    )
    db.session.commit()
    payments.record_payment(policy, book.agent, "250.00", date(2025, 1, 1), "cash")
    run_arrears(date(2025, 4, 2))
    run_arrears(date(2025, 5, 2))
    clawback = db.session.scalars(
        select(CommissionLine).where(CommissionLine.kind == "clawback")
    ).all()
    assert [(c.policy_id, c.agent_amount) for c in clawback] == [(policy.id, D("-50.00"))]


def test_a_payment_in_grace_puts_the_term_back_in_force(book):
    day = book.day
    policy = make_issued_policy(
        book.customer, book.agent, "P-AR-PAY", day - timedelta(40), frequency="monthly"
    )
    db.session.commit()
    first, second = schedule.instalments(policy.id)[:2]
    payments.record_payment(policy, book.agent, "100.00", day, "cash", None, first.id)
    assert run_arrears(day)["graced"] == 1
    db.session.expire_all()
    policy = db.session.get(Policy, policy.id)
    assert policy.status == "grace" and policy.grace_ends_on == second.due_on + timedelta(30)
    payments.record_payment(policy, book.agent, "60.00", day, "cash")
    assert policy.status == "grace"  # part of what is overdue: still in grace
    payments.record_payment(policy, book.agent, "40.00", day, "cash")
    assert (policy.status, policy.grace_ends_on) == ("in_force", None)
    assert run_arrears(day)["graced"] == 0


def test_quotes_past_their_validity_are_cancelled(book):
    day = book.day
    stale = make_policy(
        book.customer,
        book.agent,
        None,
        day + timedelta(10),
        day + timedelta(375),
        status="quoted",
        quote_number="Q-OLD",
        quote_valid_until=day - timedelta(1),
    )
    fresh = make_policy(
        book.customer,
        book.agent,
        None,
        day + timedelta(10),
        day + timedelta(375),
        status="quoted",
        quote_number="Q-NEW",
        quote_valid_until=day,
    )
    db.session.commit()
    assert run_arrears(day)["quotes"] == 1
    db.session.expire_all()
    assert (
        db.session.get(Policy, stale.id).status,
        db.session.get(Policy, stale.id).cancel_reason,
    ) == ("cancelled", "quote_expired")
    assert db.session.get(Policy, fresh.id).status == "quoted"
    assert run_arrears(day)["quotes"] == 0


def test_the_job_is_registered_daily(app):
    from plugins.insurance import trellis_jobs

    (job,) = [j for j in trellis_jobs() if j.code == "insurance.arrears"]
    assert job.every_minutes == 1440
    assert "graced 0" in job.run()


def test_a_paid_up_term_past_its_end_expires(book):
    policy = make_issued_policy(book.customer, book.agent, "P-AR-END", date(2025, 1, 1))
    db.session.commit()
    payments.record_payment(policy, book.agent, "1200.00", date(2025, 1, 1), "cash")
    assert run_arrears(date(2025, 12, 31)) == {"graced": 0, "lapsed": 0, "expired": 0, "quotes": 0}
    assert run_arrears(date(2026, 1, 1))["expired"] == 1
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).status == "expired"
