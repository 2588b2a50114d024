"""Reinstatement (复效, plan §2.1, §3.2): a lapsed life term put back in
force within the product's window on payment of exactly its arrears and
with the health declaration — its instalments paid, a ``reinstatement``
transaction undoing the lapse's premium change with the uncovered gap, the
event — and each refusal by its field: the wrong amount (naming the
figure), no declaration, past the window (naming its last day), a product
that never reinstates; a term not lapsed (409), an agent without the
permission (403); the same through the premiums page's form."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from core.api import Activity, ForbiddenError, IllegalTransition, Team, ValidationError, db
from core.testing import plugin_module
from plugins.insurance.models import Policy, PremiumPayment
from plugins.insurance.services.policies.transactions import history
from plugins.insurance.services.premiums import payments, schedule
from plugins.insurance.services.premiums.arrears import run_arrears
from plugins.insurance.services.premiums.reinstatement import reinstate
from plugins.insurance.services.terms import today

from .factories import make_issued_policy

D = Decimal


def _lapsed(make_user, make_customer, reinstatement_days=60, line="life"):
    """A monthly life term (100.00 a month) started 100 days ago, the first
    instalment paid; the second fell due ~70 days ago, its grace of 30 days
    is over, so today's job lapses it. Due by today: the 2nd, 3rd, 4th."""
    day = today()
    desk = Team(name="Life desk")
    db.session.add(desk)
    db.session.commit()
    agent = make_user(role="insurance_agent", team=desk, name="Ann Agent")
    manager = make_user(role="manager", team=desk, name="Meg Manager")
    customer = make_customer(name="Wang Wei", owner_id=agent.id)
    policy = make_issued_policy(
        customer,
        agent,
        "P-RE-1",
        day - timedelta(100),
        frequency="monthly",
        product="Term life",
        line=line,
        product_fields={"grace_days": 30, "reinstatement_days": reinstatement_days},
    )
    db.session.commit()
    payments.record_payment(policy, agent, "100.00", day, "cash")
    assert run_arrears(day)["lapsed"] == 1
    db.session.expire_all()
    return SimpleNamespace(
        policy=db.session.get(Policy, policy.id), agent=agent, manager=manager, day=day
    )


@pytest.fixture
def lapsed(make_user, make_customer):
    return _lapsed(make_user, make_customer)


def test_reinstating_with_the_exact_arrears_puts_the_term_back_in_force(
    make_user, make_customer, register_plugin
):
    seen = []
    register_plugin(
        plugin_module(
            "probe",
            trellis_insurance_policy_reinstated=lambda policy, transaction: seen.append(
                (policy.status, transaction.kind)
            ),
        )
    )
    book = _lapsed(make_user, make_customer)
    policy = book.policy
    lapse = history(policy.id)[-1]
    assert lapse.kind == "lapse" and lapse.premium_delta < 0
    assert schedule.arrears(policy.id, book.day) == D("300.00")
    reinstate(policy, book.manager, "300.00", True, policy.version, reference="BANK-RE")
    assert (policy.status, policy.lapsed_on, policy.grace_ends_on) == ("in_force", None, None)
    row = history(policy.id)[-1]
    assert (row.kind, row.effective_on, row.premium_delta) == (
        "reinstatement",
        book.day,
        -lapse.premium_delta,
    )
    assert (row.gap_from, row.gap_to) == (lapse.effective_on, book.day)
    rows = schedule.instalments(policy.id)
    assert [r.settled_on is not None for r in rows[:5]] == [True, True, True, True, False]
    assert policy.next_due_on == rows[4].due_on > book.day
    references = db.session.scalars(
        select(PremiumPayment.reference).order_by(PremiumPayment.id)
    ).all()
    assert references == [None, "BANK-RE", "BANK-RE/2", "BANK-RE/3"]
    assert seen == [("in_force", "reinstatement")]
    timeline = db.session.scalars(select(Activity.subject).where(Activity.kind == "policy")).all()
    assert any("reinstated" in s and "300.00" in s for s in timeline)


def test_the_wrong_amount_is_refused_naming_the_arrears(lapsed):
    with pytest.raises(ValidationError) as refused:
        reinstate(lapsed.policy, lapsed.manager, "200.00", True)
    assert list(refused.value.errors) == ["amount"]
    assert "300.00" in refused.value.errors["amount"][0]
    db.session.rollback()
    assert db.session.get(Policy, lapsed.policy.id).status == "lapsed"
    assert db.session.scalar(select(func.count()).select_from(PremiumPayment)) == 1


def test_a_life_term_needs_the_health_declaration(lapsed):
    with pytest.raises(ValidationError) as refused:
        reinstate(lapsed.policy, lapsed.manager, "300.00", False)
    assert list(refused.value.errors) == ["health_declaration"]


def test_a_motor_term_needs_no_declaration(make_user, make_customer):
    book = _lapsed(make_user, make_customer, line="motor")
    reinstate(book.policy, book.manager, "300.00", False)
    assert book.policy.status == "in_force"


def test_past_the_window_is_refused_naming_its_last_day(lapsed):
    policy = lapsed.policy
    policy.lapsed_on = lapsed.day - timedelta(61)
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        reinstate(policy, lapsed.manager, "300.00", True)
    until = (lapsed.day - timedelta(1)).isoformat()
    assert refused.value.errors == {
        "effective_on": [f"past the reinstatement window (until {until})"]
    }


def test_a_product_without_a_window_never_reinstates(make_user, make_customer):
    book = _lapsed(make_user, make_customer, reinstatement_days=0)
    with pytest.raises(ValidationError) as refused:
        reinstate(book.policy, book.manager, "300.00", True)
    assert list(refused.value.errors) == ["effective_on"]


def test_only_a_lapsed_term_and_only_with_the_permission(lapsed):
    with pytest.raises(ForbiddenError):
        reinstate(lapsed.policy, lapsed.agent, "300.00", True)  # agents do not issue
    reinstate(lapsed.policy, lapsed.manager, "300.00", True)
    with pytest.raises(IllegalTransition):
        reinstate(lapsed.policy, lapsed.manager, "0", True)


def _csrf(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def test_the_premiums_page_reinstates_and_shows_a_refusal_by_its_field(login_as, lapsed):
    policy = lapsed.policy
    client = login_as(lapsed.manager)
    page = f"/insurance/policies/{policy.id}/premiums"
    shown = client.get(page)
    assert shown.status_code == 200
    assert 'id="reinstate"' in shown.text and 'value="300.00"' in shown.text
    assert 'name="health_declaration"' in shown.text
    token = _csrf(client, page)
    url = f"/insurance/policies/{policy.id}/reinstate"
    refused = client.post(
        url, data={"csrf_token": token, "version": policy.version, "amount": "250.00"}
    )
    assert refused.status_code == 422
    assert 'id="e-reinstate-amount"' in refused.text and "300.00" in refused.text
    assert 'id="e-reinstate-health_declaration"' in refused.text
    done = client.post(
        url,
        data={
            "csrf_token": token,
            "version": policy.version,
            "amount": "300.00",
            "health_declaration": "1",
        },
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).status == "in_force"


def test_reinstating_gives_back_what_the_lapse_clawed_back(make_user, make_customer):
    """A carrier rule of 10 % first-year: the 100.00 paid earned Ann 10.00;
    the lapse (inside the clawback months) took it back (−10.00); the
    reinstatement gives it back (+10.00) and its three payments earn 30.00,
    so Ann holds 40.00 — the commission on the 400.00 the term was paid."""
    from datetime import date

    from plugins.insurance.models import CommissionLine, InsuranceCommissionRule

    day = today()
    desk = Team(name="Life desk")
    db.session.add(desk)
    db.session.commit()
    agent = make_user(role="insurance_agent", team=desk, name="Ann Agent")
    manager = make_user(role="manager", team=desk, name="Meg Manager")
    customer = make_customer(name="Wang Wei", owner_id=agent.id)
    policy = make_issued_policy(
        customer,
        agent,
        "P-RE-2",
        day - timedelta(100),
        frequency="monthly",
        product="Term life",
        line="life",
        product_fields={"grace_days": 30, "reinstatement_days": 60, "clawback_months": 12},
    )
    db.session.add(
        InsuranceCommissionRule(
            carrier_id=policy.carrier_id,
            first_year_rate=D("0.1"),
            renewal_rate=D("0.05"),
            effective_from=date(2000, 1, 1),
        )
    )
    db.session.commit()
    payments.record_payment(policy, agent, "100.00", day, "cash")
    run_arrears(day)
    db.session.expire_all()
    policy = db.session.get(Policy, policy.id)

    def ann(kind=None):
        query = select(func.coalesce(func.sum(CommissionLine.agent_amount), 0)).where(
            CommissionLine.agent_id == agent.id
        )
        return D(
            db.session.scalar(query if kind is None else query.where(CommissionLine.kind == kind))
        )

    assert (ann("clawback"), ann()) == (D("-10.00"), D("0.00"))
    reinstate(policy, manager, "300.00", True)
    assert (ann("clawback"), ann()) == (D("0.00"), D("40.00"))
