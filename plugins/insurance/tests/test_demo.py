"""The insurance demo, loaded in English and in Chinese, tells its story:
the lapsed-then-reinstated term with its gap, the renewal, the term in
grace, the cooling-off cancellation and its refund, the paid claim and the
one being assessed, the carrier statement with exactly one variance, the
issued agent statement, the household's gaps, the callbacks — and in
Chinese every text it stores reads in Chinese."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from core.api import Activity, Team, add_months, db
from plugins.insurance.demo import load_demo
from plugins.insurance.demo.texts import TEXT
from plugins.insurance.models import (
    AgentStatement,
    Carrier,
    CarrierStatementLine,
    Claim,
    Cover,
    Household,
    InsuranceProduct,
    Person,
    Policy,
    PolicyTransaction,
    PremiumPayment,
)
from plugins.insurance.services.households import cover_of
from plugins.insurance.services.premiums.schedule import instalments
from plugins.insurance.services.terms import today

#: a word of Latin letters, once the book's numbers and currency codes are set aside
ENGLISH = re.compile(r"[A-Za-z]{2,}")
NUMBERS = re.compile(r"\b(?:BD|BJ|LP)-[0-9-]+\b|\bCNY\b")


@pytest.fixture
def demo(make_user, make_customer):
    """``demo(locale)``: the demo's users and customers as core's demo makes
    them, and the insurance story loaded on them in ``locale``."""

    def load(locale: str):
        north, south = Team(name="North"), Team(name="South")
        db.session.add_all([north, south])
        db.session.commit()
        users = [
            make_user(role="admin", locale=locale),
            make_user(role="manager", team=north, locale=locale),
            make_user(role="sales", team=south, locale=locale),
            make_user(role="sales", team=north, locale=locale),
        ]
        customers = [
            make_customer(
                name=f"Customer {i}", owner_id=None if i % 6 == 5 else users[1 + i % 3].id
            )
            for i in range(12)
        ]
        with force_locale(locale):
            book = load_demo(locale, customers, users)
        db.session.commit()
        return book, users

    return load


def _history(policy: Policy) -> list[PolicyTransaction]:
    return list(
        db.session.scalars(
            select(PolicyTransaction)
            .where(PolicyTransaction.policy_id == policy.id)
            .order_by(PolicyTransaction.seq)
        )
    )


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_demo_tells_the_whole_story(demo, locale):
    book, users = demo(locale)
    currency = TEXT[locale]["currency"]
    day = today()

    # lapsed, then reinstated today: the arrears paid, the gap recorded
    life = db.session.get(Policy, book.reinstated.id)
    kinds = [t.kind for t in _history(life)]
    assert (life.status, kinds) == ("in_force", ["new_business", "lapse", "reinstatement"])
    lapse, back = _history(life)[1:]
    assert back.premium_delta == -lapse.premium_delta > 0
    assert (back.gap_from, back.gap_to) == (lapse.effective_on, day)
    assert all(r.settled_on is not None for r in instalments(life.id) if r.due_on <= day)
    assert life.callback_outcome == "confirmed" and life.callback_done_at is not None

    # renewed one step: term 1 renewed, term 2 in force under the same number
    term1, term2 = (db.session.get(Policy, p.id) for p in (book.motor_term1, book.motor_term2))
    assert (term1.status, term2.status, term2.term_no) == ("renewed", "in_force", 2)
    assert term2.number == term1.number and term2.predecessor_id == term1.id
    assert [t.kind for t in _history(term2)] == ["renewal"]

    # in grace now, by today's arrears run
    graced = db.session.get(Policy, book.in_grace.id)
    assert graced.status == "grace" and graced.grace_ends_on >= day
    assert db.session.scalars(select(Policy.id).where(Policy.status == "grace")).all() == [
        graced.id
    ]

    # cancelled in the cooling-off period: the whole premium back, less the fee
    gone = db.session.get(Policy, book.cancelled.id)
    assert gone.status == "cancelled" and gone.cancelled_on == day
    refund = db.session.scalar(
        select(PremiumPayment).where(PremiumPayment.policy_id == gone.id, PremiumPayment.amount < 0)
    )
    fee = Decimal(TEXT[locale]["cooling_off_fee"])
    assert refund is not None and refund.amount == -(gone.term_premium - fee)
    assert _history(gone)[-1].kind == "cancellation"

    # the mother's callback is still due, within the cooling-off period
    due = db.session.get(Policy, book.callback_due.id)
    assert due.callback_done_at is None and day < due.callback_due_on < due.cooling_off_ends_on

    # one claim paid, one being assessed
    claims = {c.status: c for c in db.session.scalars(select(Claim))}
    assert set(claims) == {"paid", "assessing"}
    assert claims["paid"].paid_amount == claims["paid"].claimed_amount > 0
    assert claims["paid"].policy_id == term1.id

    # last month's carrier statement: exactly one variance, of the short payment
    rows = db.session.scalars(select(CarrierStatementLine)).all()
    assert [r.status for r in rows].count("variance") == 1
    assert len(rows) >= 3 and {r.status for r in rows} == {"matched", "variance"}
    assert next(r for r in rows if r.status == "variance").variance == Decimal("-50.00")

    # last month's agent statement of the team leader, issued
    last_month = add_months(day.replace(day=1), -1)
    issued = db.session.scalars(
        select(AgentStatement).where(AgentStatement.status == "issued")
    ).all()
    assert [(s.agent_id, s.month) for s in issued] == [(users[1].id, last_month)]
    assert issued[0].overrides > 0  # the leader's override on the upline's agent

    # the household: four members, motor but no home, the child uninsured
    household = db.session.get(Household, book.household.id)
    cover = cover_of(household, users[0])
    assert len(cover.members) == 4
    assert {gap.code for gap in cover.gaps} >= {"motor_no_home", "child_uninsured"}

    # every policy in the demo's currency, every issued term made through the issue
    policies = db.session.scalars(select(Policy)).all()
    assert {p.currency for p in policies} == {currency}
    assert all(_history(p) for p in policies if p.number is not None)
    # and the home quote that follows the gap up, waiting
    quote = db.session.get(Policy, book.home_quote.id)
    assert (quote.status, quote.number, quote.line) == ("quoted", None, "property")


def test_the_chinese_demo_stores_chinese_texts(demo):
    demo("zh_CN")
    texts = [
        *db.session.scalars(select(Carrier.name)),
        *db.session.scalars(select(InsuranceProduct.name)),
        *db.session.scalars(select(Cover.name)),
        *db.session.scalars(select(Household.name)),
        *db.session.scalars(select(Person.name)),
        *db.session.scalars(select(Claim.description)),
        *db.session.scalars(select(Claim.reason).where(Claim.reason.is_not(None))),
        *db.session.scalars(select(Policy.cancel_reason).where(Policy.cancel_reason.is_not(None))),
    ]
    assert len(texts) > 15
    english = [t for t in texts if ENGLISH.search(NUMBERS.sub("", t))]
    assert english == []


def test_the_chinese_demo_timeline_reads_in_chinese(demo):
    """What the services wrote on the policyholders' timelines, in the
    demo's language (the catalogue's translations of the services' texts)."""
    demo("zh_CN")
    rows = db.session.execute(
        select(Activity.subject, Activity.body).where(
            Activity.kind.in_(("policy", "insurance_payment", "insurance_claim"))
        )
    ).all()
    written = [text for row in rows for text in row if text]
    assert len(written) > 20
    english = sorted({s for s in written if ENGLISH.search(NUMBERS.sub("", s))})
    assert english == []
