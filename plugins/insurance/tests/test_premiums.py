"""Premium payments (plan §3.1): a part payment, then the rest settles the
instalment and moves the paid-to date; more than is due is a 422 naming
``amount``; two payments on the same read of an instalment — two requests,
or a writer in between — are a 409 and write nothing; a bank reference once
per policy; a lapsed term is not paid here; commission lines for a payment
and reversal lines for its reversal; a refund's negative row; the API's
lists in the caller's scope, another agent's policy a 404."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from core.api import (
    Activity,
    ForbiddenError,
    StaleVersionError,
    StateError,
    TakenError,
    Team,
    ValidationError,
    db,
    transaction,
)
from core.testing import plugin_module
from plugins.insurance.models import (
    CommissionLine,
    InsuranceCommissionRule,
    Policy,
    PremiumInstalment,
    PremiumPayment,
)
from plugins.insurance.services.premiums import payments, schedule
from plugins.insurance.services.terms import today

from .factories import make_issued_policy

D = Decimal


@pytest.fixture
def ledger(make_user, make_customer):
    """Agent Ann's monthly term (100.00 a month) started 45 days ago, its
    first two instalments due and unpaid; agent Bob's term; a manager; a
    commission rule of 10% first-year for the test carrier."""
    desk = Team(name="Life desk")
    db.session.add(desk)
    db.session.commit()
    ann = make_user(role="insurance_agent", team=desk, name="Ann Agent")
    bob = make_user(role="insurance_agent", name="Bob Agent")
    manager = make_user(role="manager", team=desk, name="Meg Manager")
    day = today()
    mine = make_customer(name="Harbour Freight", owner_id=ann.id)
    theirs = make_customer(name="Elsewhere Ltd", owner_id=bob.id)
    policy = make_issued_policy(mine, ann, "P-PAY-1", day - timedelta(45), frequency="monthly")
    other = make_issued_policy(theirs, bob, "P-PAY-BOB", day - timedelta(45), frequency="monthly")
    db.session.add(
        InsuranceCommissionRule(
            carrier_id=policy.carrier_id,
            product_id=None,
            first_year_rate=D("0.1"),
            renewal_rate=D("0.05"),
            effective_from=day - timedelta(400),
        )
    )
    db.session.commit()
    return SimpleNamespace(
        ann=ann, bob=bob, manager=manager, policy=policy, other=other, day=day, customer=mine
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _first(policy) -> PremiumInstalment:
    return schedule.instalments(policy.id)[0]


def test_a_part_payment_then_the_rest_settles_the_instalment(ledger):
    policy = ledger.policy
    first = _first(policy)
    part = payments.record_payment(policy, ledger.ann, "40.00", ledger.day, "cash")
    assert part.instalment_id == first.id and part.amount == D("40.00")
    assert (first.paid, first.settled_on, policy.paid_to_date) == (D("40.00"), None, None)
    rest = payments.record_payment(
        policy,
        ledger.ann,
        D("60.00"),
        ledger.day,
        "bank_transfer",
        "TRX-1",
        first.id,
        first.version,
    )
    assert rest.reference == "TRX-1"
    assert (first.paid, first.settled_on) == (D("100.00"), ledger.day)
    second = schedule.instalments(policy.id)[1]
    assert policy.paid_to_date == second.due_on - timedelta(days=1)
    assert policy.next_due_on == second.due_on
    # the payment is on the policyholder's timeline, linked to the policy
    entries = db.session.scalars(
        select(Activity).where(Activity.customer_id == ledger.customer.id)
    ).all()
    assert [e.kind for e in entries].count("insurance_payment") == 2
    assert any("60.00" in e.subject and "P-PAY-1" in e.subject for e in entries)


def test_more_than_is_due_is_refused_by_amount(ledger):
    policy = ledger.policy
    payments.record_payment(policy, ledger.ann, "40.00", ledger.day, "cash")
    with pytest.raises(ValidationError) as refused:
        payments.record_payment(policy, ledger.ann, "60.01", ledger.day, "cash")
    assert list(refused.value.errors) == ["amount"]
    assert "more than the 60.00 due" in refused.value.errors["amount"][0]
    for bad in ("0", "-5", "1.234", "abc"):
        with pytest.raises(ValidationError) as refused:
            payments.record_payment(policy, ledger.ann, bad, ledger.day, "cash")
        assert "amount" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        payments.record_payment(policy, ledger.ann, "1", ledger.day + timedelta(1), "cheque")
    assert set(refused.value.errors) == {"paid_on", "method"}
    db.session.rollback()
    assert _count(PremiumPayment) == 1 and _first(policy).paid == D("40.00")


def test_the_same_read_twice_over_the_api_is_a_409_and_writes_nothing(as_user, ledger):
    first = _first(ledger.policy)
    body = {
        "policy_id": ledger.policy.id,
        "amount": "100.00",
        "instalment_id": first.id,
        "version": first.version,
    }
    api = as_user(ledger.ann)
    once = api.post("/api/v1/insurance/payments", json=body)
    assert once.status_code == 201, once.json
    twice = api.post("/api/v1/insurance/payments", json=body | {"amount": "1.00"})
    assert twice.status_code == 409
    db.session.expire_all()
    assert _count(PremiumPayment) == 1
    assert _first(ledger.policy).paid == D("100.00")
    assert db.session.scalar(select(func.count()).select_from(CommissionLine)) == 1


def test_a_payment_that_lost_the_race_in_the_database_is_a_409_and_writes_nothing(ledger):
    policy = ledger.policy
    first = _first(policy)  # read (version 1) …
    # … then another clerk's payment lands before this one is written
    db.session.execute(
        update(PremiumInstalment)
        .where(PremiumInstalment.id == first.id)
        .values(paid=D("100.00"), settled_on=ledger.day, version=PremiumInstalment.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(StaleVersionError):
        payments.record_payment(policy, ledger.ann, "100.00", ledger.day, "cash", "RACE-1")
    assert _count(PremiumPayment) == 0 and _count(CommissionLine) == 0
    assert (
        db.session.scalar(select(PremiumInstalment.paid).where(PremiumInstalment.id == first.id))
        == 0
    )


def test_a_bank_reference_is_recorded_once_per_policy(ledger, as_user):
    payments.record_payment(ledger.policy, ledger.ann, "10.00", ledger.day, "cash", "BANK-7")
    with pytest.raises(TakenError) as refused:
        payments.record_payment(ledger.policy, ledger.ann, "10.00", ledger.day, "cash", " BANK-7 ")
    assert list(refused.value.errors) == ["reference"]
    answer = as_user(ledger.ann).post(
        "/api/v1/insurance/payments",
        json={"policy_id": ledger.policy.id, "amount": "5.00", "reference": "BANK-7"},
    )
    assert answer.status_code == 409 and "reference" in answer.json["errors"]
    # another policy may carry the same reference
    payments.record_payment(ledger.other, ledger.bob, "10.00", ledger.day, "cash", "BANK-7")
    assert _count(PremiumPayment) == 2


def test_a_lapsed_term_is_paid_through_reinstatement(ledger):
    ledger.policy.status = "lapsed"
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        payments.record_payment(ledger.policy, ledger.ann, "10.00", ledger.day, "cash")
    assert (
        list(refused.value.errors) == ["policy_id"]
        and "reinstat" in refused.value.errors["policy_id"][0]
    )


def test_without_the_permission_a_payment_is_forbidden(ledger, make_user):
    assessor = make_user(role="claims_assessor")
    with pytest.raises(ForbiddenError):
        payments.record_payment(ledger.policy, assessor, "10.00", ledger.day, "cash")


def test_a_payment_books_commission_and_its_reversal_cancels_it(ledger, register_plugin):
    received = []
    register_plugin(
        plugin_module(
            "probe",
            trellis_insurance_payment_received=lambda payment: received.append(payment.amount),
        )
    )
    policy = db.session.get(Policy, ledger.policy.id)  # in the new app's session
    payment = payments.record_payment(policy, ledger.ann, "100.00", ledger.day, "cash")
    assert received == [D("100.00")]
    lines = db.session.scalars(
        select(CommissionLine).where(CommissionLine.payment_id == payment.id)
    ).all()
    assert [(c.kind, c.premium, c.expected, c.agent_id) for c in lines] == [
        ("commission", D("100.00"), D("10.00"), ledger.ann.id)
    ]
    with pytest.raises(ValidationError) as refused:
        payments.reverse_payment(payment, ledger.ann, "  ", payment.version)
    assert list(refused.value.errors) == ["reason"]
    payments.reverse_payment(payment, ledger.ann, "The transfer bounced", payment.version)
    first = _first(policy)
    assert (first.paid, first.settled_on) == (D("0.00"), None)
    assert payment.reversed_at is not None and payment.reversal_reason == "The transfer bounced"
    assert policy.paid_to_date is None and policy.next_due_on == first.due_on
    reversal = db.session.scalars(
        select(CommissionLine).where(
            CommissionLine.payment_id == payment.id, CommissionLine.kind == "reversal"
        )
    ).all()
    assert [(c.premium, c.expected, c.agent_amount) for c in reversal] == [
        (D("-100.00"), D("-10.00"), D("-10.00"))
    ]
    with pytest.raises(StateError):  # reversed already: 409
        payments.reverse_payment(payment, ledger.ann, "again", payment.version)


def test_a_refund_is_a_negative_payment_with_negative_commission(ledger):
    assert payments.refund(ledger.policy, D("0"), ledger.day, ledger.manager, "nothing") is None
    row = payments.refund(ledger.policy, D("35.50"), ledger.day, ledger.manager, "Cooling-off")
    db.session.commit()
    assert (row.amount, row.instalment_id, row.paid_on) == (D("-35.50"), None, ledger.day)
    (line,) = db.session.scalars(select(CommissionLine).where(CommissionLine.payment_id == row.id))
    assert (line.premium, line.expected) == (D("-35.50"), D("-3.55"))


def test_the_api_lists_instalments_and_payments_in_the_callers_scope(as_user, ledger):
    payments.record_payment(ledger.policy, ledger.ann, "100.00", ledger.day, "cash")
    payments.record_payment(ledger.other, ledger.bob, "30.00", ledger.day, "cash")
    api = as_user(ledger.ann)
    mine = api.get(f"/api/v1/insurance/policies/{ledger.policy.id}/instalments")
    assert mine.status_code == 200 and mine.json["total"] == 12
    statuses = [i["status"] for i in mine.json["items"][:3]]
    assert statuses == ["settled", "overdue", "open"]  # the second fell due ~15 days ago
    assert mine.json["items"][0]["paid"] == "100.00"
    overdue = api.get("/api/v1/insurance/instalments?status=overdue").json["items"]
    assert [(i["policy_number"], i["seq"]) for i in overdue] == [("P-PAY-1", 2)]
    assert api.get("/api/v1/insurance/instalments?status=grace").json["total"] == 0
    assert api.get("/api/v1/insurance/instalments?status=late").status_code == 422
    listed = api.get("/api/v1/insurance/payments").json["items"]
    assert [p["amount"] for p in listed] == ["100.00"]
    # another agent's policy and payment are not there for Ann: 404
    assert api.get(f"/api/v1/insurance/policies/{ledger.other.id}/instalments").status_code == 404
    paid = api.post(
        "/api/v1/insurance/payments", json={"policy_id": ledger.other.id, "amount": "10.00"}
    )
    assert paid.status_code == 404
    bobs = db.session.scalar(
        select(PremiumPayment.id).where(PremiumPayment.policy_id == ledger.other.id)
    )
    reversed_ = api.post(
        f"/api/v1/insurance/payments/{bobs}/reverse", json={"reason": "mine?", "version": 1}
    )
    assert reversed_.status_code == 404
    # the manager sees the team's: Ann's, not Bob's (another team)
    assert as_user(ledger.manager).get("/api/v1/insurance/payments").json["total"] == 1


def test_the_api_reverses_a_payment_with_its_version(as_user, ledger):
    payment = payments.record_payment(ledger.policy, ledger.ann, "100.00", ledger.day, "cash")
    api = as_user(ledger.ann)
    url = f"/api/v1/insurance/payments/{payment.id}/reverse"
    assert (
        api.post(url, json={"reason": "Bounced", "version": payment.version + 5}).status_code == 409
    )
    answer = api.post(url, json={"reason": "Bounced", "version": payment.version})
    assert answer.status_code == 200 and answer.json["reversal_reason"] == "Bounced"
    assert answer.json["reversed_at"] is not None
    assert api.post(url, json={"version": answer.json["version"]}).status_code == 422


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/insurance/policies/{policy_id}/instalments",
        "/api/v1/insurance/instalments",
        "/api/v1/insurance/payments",
        "/api/v1/insurance/payments/{payment_id}/reverse",
    ):
        assert path in paths, path


def test_a_reference_that_raced_in_is_refused_by_the_index(ledger):
    """Two payments with one reference, both past the check: the unique
    index refuses the second (409 ``reference``), nothing of it written."""
    payments.record_payment(ledger.policy, ledger.ann, "10.00", ledger.day, "cash", "BANK-9")
    second = schedule.instalments(ledger.policy.id)[1]
    with pytest.raises(TakenError) as refused, transaction():
        payments.apply_payment(
            ledger.policy, second, D("5.00"), ledger.day, "cash", "BANK-9", ledger.ann
        )
    assert list(refused.value.errors) == ["reference"]
    assert _count(PremiumPayment) == 1
    assert schedule.instalments(ledger.policy.id)[1].paid == D("0.00")
