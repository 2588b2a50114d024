"""The insurance share of a hospital bill (``trellis_his_coverage``),
driven as an outside integrator sees it: the hospital plugin's cashier
takes a payment through its API (the charges put on the patient straight
into its table — this plugin imports nothing of the hospital's), and the
outpatient claim the payment leaves behind.

Figures by hand: co-payment 20 % (the insurer pays 80 %), covered
categories registration, drug and lab (not imaging)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select

from core.api import add_months, db, utcnow
from plugins.insurance.models import Claim, ClaimEvent, Insured, Person
from plugins.insurance.services.coverage import outpatient_coverage, policy_year
from plugins.insurance.services.reports.claims import incurred, incurred_from_events
from plugins.insurance.services.reports.period import Period
from plugins.insurance.services.terms import today

from .factories import make_issued_policy

_source = itertools.count(1)
PLAN = "Outpatient plan"
TERMS = {
    "outpatient_copay_percent": Decimal("20"),
    "outpatient_deductible": Decimal("0"),
    "outpatient_limit": None,
    "outpatient_categories": ["registration", "drug", "lab"],
}


@pytest.fixture
def desk(app, make_user, make_customer, as_user):
    """A cashier at the API, an administrator, a patient (a customer) and
    ``owe(patient, (category, amount), …)``: unpaid hospital charges."""
    assert "his" in app.extensions["trellis"].enabled_names, (
        "these tests need the hospital plugin enabled (the trellis_plugins ini option)"
    )
    cashier = make_user(role="his_cashier", name="Cashier Zhao")
    admin = make_user(role="admin", name="Admin")
    patient = make_customer(name="Wang Fang")
    charge = db.metadata.tables["his_charge"]

    def owe(customer, *lines: tuple[str, str]) -> list[int]:
        ids = []
        for n, (category, amount) in enumerate(lines):
            now = utcnow()
            row = db.session.execute(
                insert(charge)
                .values(
                    customer_id=customer.id,
                    source="order",
                    source_id=next(_source),
                    item_code=f"T{n}",
                    name=f"Test {n}",
                    category=category,
                    quantity=Decimal("1"),
                    unit_price=Decimal(amount),
                    amount=Decimal(amount),
                    currency="CNY",
                    status="unpaid",
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
                .returning(charge.c.id)
            )
            ids.append(row.scalar_one())
        db.session.commit()
        return ids

    def pay(customer, charge_ids, *tenders):
        return as_user(cashier).post(
            "/api/v1/his/payments",
            json={"customer_id": customer.id, "charge_ids": charge_ids, "tenders": list(tenders)},
        )

    return SimpleNamespace(cashier=cashier, admin=admin, patient=patient, owe=owe, pay=pay)


def insure(customer, number="HL-1", start=None, status="in_force", **terms):
    """A year's health term of the plan with ``terms`` (over TERMS), from 30 days ago."""
    policy = make_issued_policy(
        customer,
        None,
        number,
        start or today() - timedelta(days=30),
        premium="1000.00",
        product=PLAN,
        line="health",
        product_fields=TERMS | terms,
        status=status,
    )
    db.session.commit()
    return policy


def insurance(amount=None) -> dict:
    return {"method": "insurance", "amount": amount}


def cash(amount: str) -> dict:
    return {"method": "cash", "amount": amount}


def claims_of(policy) -> list[Claim]:
    return list(
        db.session.scalars(select(Claim).where(Claim.policy_id == policy.id).order_by(Claim.id))
    )


def test_the_share_is_the_covered_charges_less_the_co_payment_and_becomes_a_paid_claim(desk):
    policy = insure(desk.patient)
    ids = desk.owe(desk.patient, ("drug", "100.00"), ("lab", "50.00"), ("imaging", "30.00"))
    paid = desk.pay(desk.patient, ids, insurance(), cash("60.00"))
    assert paid.status_code == 201, paid.json
    # (100 + 50) × 80 % = 120; imaging is not covered: the patient pays 30 + 30
    assert (paid.json["total"], paid.json["covered"]) == ("180.00", "120.00")
    tenders = {t["method"]: t for t in paid.json["tenders"]}
    assert (tenders["insurance"]["amount"], tenders["insurance"]["payer"]) == (
        "120.00",
        "Test Mutual",
    )
    [claim] = claims_of(policy)
    assert (claim.cause, claim.source, claim.source_id) == (
        "outpatient",
        "his_payment",
        paid.json["id"],
    )
    assert (claim.status, claim.claimed_amount, claim.approved_amount, claim.paid_amount) == (
        "paid",
        Decimal("150.00"),
        Decimal("120.00"),
        Decimal("120.00"),
    )
    assert (claim.loss_date, claim.paid_on, claim.reserve) == (today(), today(), Decimal("0.00"))
    steps = db.session.scalars(
        select(ClaimEvent).where(ClaimEvent.claim_id == claim.id).order_by(ClaimEvent.seq)
    ).all()
    assert [(e.action, e.to_status, e.paid_delta, e.reserve_delta) for e in steps] == [
        ("report", "reported", Decimal("0.00"), Decimal("120.00")),
        ("pay", "paid", Decimal("120.00"), Decimal("-120.00")),
    ]


def test_the_claims_lists_and_the_loss_ratio_show_the_outpatient_claim(desk, login_as):
    policy = insure(desk.patient)
    ids = desk.owe(desk.patient, ("drug", "100.00"))
    assert desk.pay(desk.patient, ids, insurance(), cash("20.00")).status_code == 201
    [claim] = claims_of(policy)
    admin = login_as(desk.admin)
    for url in (
        "/insurance/claims",
        f"/insurance/customers/{desk.patient.id}/claims",
        f"/insurance/claims/{claim.id}",
    ):
        page = admin.get(url)
        assert page.status_code == 200 and claim.number in page.get_data(as_text=True), url
    period = Period.of_months(today(), today())
    from_cells = incurred(desk.admin, period, "line")
    from_events = incurred_from_events(desk.admin, period, "line")
    assert from_cells[("health", "CNY")] == from_events[("health", "CNY")] == Decimal("80.00")


def test_the_deductible_is_used_up_across_payments(desk):
    policy = insure(desk.patient, outpatient_deductible=Decimal("100.00"))
    small = desk.owe(desk.patient, ("drug", "60.00"))
    # 60 lies within the deductible: no share, the insurance tender is refused …
    refused = desk.pay(desk.patient, small, insurance(), cash("60.00"))
    assert refused.status_code == 409 and "tenders" in refused.json["errors"]
    # … the patient pays it all, and it counts towards the deductible (40 left)
    assert desk.pay(desk.patient, small, cash("60.00")).status_code == 201
    second = desk.owe(desk.patient, ("drug", "90.00"))
    paid = desk.pay(desk.patient, second, insurance(), cash("58.00"))
    assert paid.status_code == 201, paid.json
    assert paid.json["covered"] == "40.00"  # (90 − 40) × 80 %
    third = desk.owe(desk.patient, ("lab", "50.00"))
    assert desk.pay(desk.patient, third, insurance(), cash("10.00")).json["covered"] == "40.00"
    claims = claims_of(policy)
    assert [(c.status, c.claimed_amount, c.paid_amount) for c in claims] == [
        ("closed", Decimal("60.00"), Decimal("0.00")),
        ("paid", Decimal("90.00"), Decimal("40.00")),
        ("paid", Decimal("50.00"), Decimal("40.00")),
    ]


def test_a_share_the_patient_did_not_take_is_no_claim(desk):
    policy = insure(desk.patient)
    ids = desk.owe(desk.patient, ("drug", "10.00"))
    assert desk.pay(desk.patient, ids, cash("10.00")).status_code == 201
    assert claims_of(policy) == []


def test_the_annual_limit_caps_the_share(desk):
    insure(desk.patient, outpatient_limit=Decimal("100.00"))
    first = desk.owe(desk.patient, ("drug", "100.00"))
    assert desk.pay(desk.patient, first, insurance(), cash("20.00")).json["covered"] == "80.00"
    second = desk.owe(desk.patient, ("drug", "100.00"))
    more = desk.pay(desk.patient, second, insurance("30.00"), cash("70.00"))
    assert more.status_code == 422 and "20.00" in more.json["errors"]["tenders"][0]
    paid = desk.pay(desk.patient, second, insurance(), cash("80.00"))
    assert paid.json["covered"] == "20.00"  # 80 × … capped at the 20 left of 100
    third = desk.owe(desk.patient, ("drug", "100.00"))
    spent = desk.pay(desk.patient, third, insurance(), cash("100.00"))
    assert spent.status_code == 409 and "tenders" in spent.json["errors"]


def test_charges_of_no_covered_category_get_no_share(desk):
    insure(desk.patient)
    ids = desk.owe(desk.patient, ("imaging", "300.00"))
    refused = desk.pay(desk.patient, ids, insurance(), cash("300.00"))
    assert refused.status_code == 409 and "tenders" in refused.json["errors"]


@pytest.mark.parametrize(
    ("status", "covers"),
    [("in_force", True), ("grace", True), ("lapsed", False), ("cancelled", False)],
)
def test_a_term_in_force_or_in_grace_covers_a_lapsed_one_not(desk, status, covers):
    insure(desk.patient, status=status)
    ids = desk.owe(desk.patient, ("drug", "10.00"))
    answer = desk.pay(desk.patient, ids, insurance(), cash("2.00"))
    if covers:
        assert answer.status_code == 201 and answer.json["covered"] == "8.00"
    else:
        assert answer.status_code == 409 and "tenders" in answer.json["errors"]
        assert list(db.session.scalars(select(Claim))) == []


def test_no_health_policy_no_share(desk, make_customer):
    insure(make_customer(name="Li Lei"))  # someone else's policy
    insure(desk.patient, number="HL-2", start=today() + timedelta(days=1))  # not yet begun
    make_issued_policy(  # a motor term, whatever its product says, covers no hospital bill
        desk.patient,
        None,
        "MT-1",
        today() - timedelta(days=3),
        product="Motor",
        line="motor",
        product_fields=TERMS,
    )
    db.session.commit()
    ids = desk.owe(desk.patient, ("drug", "10.00"))
    refused = desk.pay(desk.patient, ids, insurance(), cash("10.00"))
    assert refused.status_code == 409 and "tenders" in refused.json["errors"]
    assert outpatient_coverage(desk.patient.id, today(), []) is None


def test_an_insured_person_is_covered_by_the_holders_policy(desk, make_customer):
    holder = make_customer(name="Wang Jun")
    policy = insure(holder)
    person = Person(customer_id=holder.id, person_customer_id=desk.patient.id, name="Wang Fang")
    db.session.add(person)
    db.session.flush()
    db.session.add(Insured(policy_id=policy.id, person_id=person.id, relation="spouse"))
    db.session.commit()
    ids = desk.owe(desk.patient, ("registration", "25.00"))
    paid = desk.pay(desk.patient, ids, insurance(), cash("5.00"))
    assert paid.status_code == 201 and paid.json["covered"] == "20.00"
    [claim] = claims_of(policy)
    assert claim.customer_id == holder.id and claim.insured_id is not None


def test_the_policy_year_runs_from_the_terms_start_or_its_anniversary(desk):
    policy = insure(desk.patient)
    assert policy_year(policy, today()) == (policy.start_date, policy.end_date)
    start = today() - timedelta(days=400)
    longer = make_issued_policy(
        desk.patient, None, "HL-24", start, term_months=24, product=PLAN, line="health"
    )
    second = add_months(start, 12)
    assert policy_year(longer, today()) == (second, longer.end_date)
    assert policy_year(longer, second - timedelta(days=1)) == (start, second - timedelta(days=1))
