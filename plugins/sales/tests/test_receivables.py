"""Receivable plans and payments: a plan must add up to the contract, each
refused payment names its field and changes nothing, confirmed payments
move the instalment's and the contract's sums (checked against sums worked
out by hand), and a reversal takes one back out."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import Activity, StateError, Team, ValidationError, db
from plugins.sales.models import Contract, Instalment, Payment
from plugins.sales.services.contracts import create_contract
from plugins.sales.services.contracts.approvals import submit_contract
from plugins.sales.services.contracts.lifecycle import sign
from plugins.sales.services.receivables import payments as payment_service
from plugins.sales.services.receivables.payments import today
from plugins.sales.services.receivables.plans import even_plan, plan_of, set_plan


@pytest.fixture
def people(app, make_user):
    east = Team(name="East")
    west = Team(name="West")
    db.session.add_all([east, west])
    db.session.commit()
    return {
        "admin": make_user(role="admin", name="Ada Admin"),
        "manager": make_user(role="manager", team=east, name="Max Manager"),
        "rep": make_user(role="sales", team=east, name="Rita Rep"),
        "peer": make_user(role="sales", team=east, name="Pete Peer"),
        "west": make_user(role="sales", team=west, name="Wes West"),
    }


@pytest.fixture
def make_contract(people, make_customer, make_contact):
    """A contract through the contracts' services: created, approved (no
    flow applies) and signed 120 days ago — or left ``draft`` / ``approved``."""
    made = iter(range(1, 1000))

    def make(owner=None, amount: str = "100000.00", status: str = "signed") -> Contract:
        owner = owner or people["rep"]
        customer = make_customer(name=f"Acme Tea {next(made)}", owner_id=owner.id)
        contract = create_contract(
            {
                "title": "Tea for every office",
                "customer_id": customer.id,
                "amount": amount,
                "currency": "CNY",
                "owner_id": owner.id,
                "start_date": (today() - timedelta(days=100)).isoformat(),
            },
            owner,
        )
        if status != "draft":
            submit_contract(contract, owner)
        if status == "signed":
            signatory = make_contact(customer=customer, name="Chen Jing")
            sign(
                contract,
                {
                    "signed_date": (today() - timedelta(days=120)).isoformat(),
                    "contact_id": signatory.id,
                },
                owner,
            )
        assert contract.status == status
        return contract

    return make


def three_instalments(contract: Contract) -> list[dict]:
    """30,000 on signing (or the start), 30,000 a month later, 40,000 after two."""
    signed = contract.signed_date or contract.start_date
    return [
        {"due_date": signed.isoformat(), "amount": "30000.00", "note": "On signing"},
        {"due_date": (signed + timedelta(days=30)).isoformat(), "amount": "30000.00"},
        {"due_date": (signed + timedelta(days=60)).isoformat(), "amount": "40000.00"},
    ]


@pytest.fixture
def planned(people, make_contract):
    contract = make_contract()
    set_plan(contract, three_instalments(contract), people["rep"])
    return contract


def pay(contract, instalment, amount, actor, **fields) -> Payment:
    return payment_service.record_payment(
        contract,
        {
            "instalment_id": instalment.id,
            "amount": amount,
            "paid_on": fields.pop("paid_on", today().isoformat()),
            "method": "bank_transfer",
            "reference": "BANK-1",
            **fields,
        },
        actor,
    )


def counts() -> tuple:
    return (
        db.session.scalar(select(func.count()).select_from(Payment)),
        db.session.scalar(select(func.sum(Instalment.collected))),
        db.session.scalar(select(func.sum(Contract.collected))),
    )


def test_a_plan_numbers_its_instalments_and_copies_the_contract(people, planned):
    plan = plan_of(planned)
    assert [(i.number, i.amount) for i in plan] == [
        (1, Decimal("30000.00")),
        (2, Decimal("30000.00")),
        (3, Decimal("40000.00")),
    ]
    assert {(i.customer_id, i.owner_id, i.team_id, i.currency) for i in plan} == {
        (planned.customer_id, people["rep"].id, people["rep"].team_id, "CNY")
    }
    assert plan[0].note == "On signing" and all(i.collected == 0 for i in plan)


def test_a_plan_that_does_not_add_up_is_refused_with_the_difference(people, make_contract):
    contract = make_contract()
    rows = three_instalments(contract)
    rows[2]["amount"] = "39999.99"
    with pytest.raises(ValidationError) as refused:
        set_plan(contract, rows, people["rep"])
    message = refused.value.errors["instalments"][0]
    assert "99999.99" in message and "100000.00" in message and "-0.01" in message
    assert plan_of(contract) == []


@pytest.mark.parametrize(
    "change, field",
    [
        ({1: {"amount": "0"}, 2: {"amount": "70000.00"}}, "instalments.1.amount"),
        ({0: {"due_date": "2000-01-01"}}, "instalments.0.due_date"),
        ({2: {"due_date": None}}, "instalments.2.due_date"),  # same day as the one before
    ],
)
def test_each_bad_instalment_is_named(people, make_contract, change, field):
    contract = make_contract()
    rows = three_instalments(contract)
    for index, values in change.items():
        for key, value in values.items():
            rows[index][key] = value if value is not None else rows[index - 1][key]
    with pytest.raises(ValidationError) as refused:
        set_plan(contract, rows, people["rep"])
    assert field in refused.value.errors
    assert plan_of(contract) == []


def test_a_plan_needs_an_approved_signed_or_active_contract(people, make_contract):
    approved = make_contract(status="approved")
    assert len(set_plan(approved, three_instalments(approved), people["rep"])) == 3
    draft = make_contract(status="draft")
    with pytest.raises(StateError) as refused:
        set_plan(draft, three_instalments(draft), people["rep"])
    assert "contract_id" in refused.value.errors


def test_collected_money_keeps_its_instalment(people, planned):
    first, second, third = plan_of(planned)
    pay(planned, first, "20000.00", people["rep"])
    kept = [
        {"id": first.id, "due_date": first.due_date.isoformat(), "amount": "10000.00"},
        {"due_date": second.due_date.isoformat(), "amount": "90000.00"},
    ]
    with pytest.raises(ValidationError) as refused:
        set_plan(planned, kept, people["rep"])
    assert "20000.00" in refused.value.errors["instalments.0.amount"][0]
    dropped = [{"due_date": second.due_date.isoformat(), "amount": "100000.00"}]
    with pytest.raises(ValidationError) as refused:
        set_plan(planned, dropped, people["rep"])
    assert "instalment 1" in refused.value.errors["instalments"][0]
    # re-planned around it: the 20,000 stays on instalment 1, now of 50,000
    plan = set_plan(
        planned,
        [
            {"id": first.id, "due_date": first.due_date.isoformat(), "amount": "50000.00"},
            {"id": third.id, "due_date": third.due_date.isoformat(), "amount": "50000.00"},
        ],
        people["rep"],
    )
    assert [(i.number, i.amount, i.collected) for i in plan] == [
        (1, Decimal("50000.00"), Decimal("20000.00")),
        (2, Decimal("50000.00"), Decimal("0.00")),
    ]
    assert db.session.get(Instalment, second.id) is None


def test_even_plan_spreads_the_cents_so_the_sum_is_exact():
    rows = even_plan(Decimal("100.00"), 3, date(2026, 1, 31), 1)
    assert [r["amount"] for r in rows] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert [r["due_date"] for r in rows] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
    assert sum(r["amount"] for r in rows) == Decimal("100.00")


def test_partial_then_full_payment_moves_both_sums(people, planned):
    first, second, _third = plan_of(planned)
    paid = pay(
        planned, first, "12000.50", people["rep"], paid_on=(today() - timedelta(days=3)).isoformat()
    )
    assert paid.status == "confirmed" and paid.confirmed_at is not None
    db.session.expire_all()
    first = db.session.get(Instalment, first.id)
    assert first.collected == Decimal("12000.50") and first.settled_on is None
    assert db.session.get(Contract, planned.id).collected == Decimal("12000.50")
    last = pay(planned, first, "17999.50", people["rep"])  # 30,000 - 12,000.50
    db.session.expire_all()
    first = db.session.get(Instalment, first.id)
    assert first.collected == Decimal("30000.00") and first.settled_on == last.paid_on
    pay(planned, second, "5000.00", people["rep"])
    db.session.expire_all()
    assert db.session.get(Contract, planned.id).collected == Decimal("35000.00")  # 30,000 + 5,000
    timeline = db.session.execute(
        select(Activity.subject, Activity.link_type, Activity.link_id).where(
            Activity.customer_id == planned.customer_id, Activity.kind == "sales_payment"
        )
    ).all()
    assert len(timeline) == 3 and any("12000.50" in s for s, _type, _id in timeline)
    assert ("sales_payment", paid.id) in [(t, i) for _s, t, i in timeline]


@pytest.mark.parametrize(
    "values, field",
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "30000.01"}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"paid_on": "2000-01-01"}, "paid_on"),
        ({"paid_on": (date.today() + timedelta(days=2)).isoformat()}, "paid_on"),
    ],
)
def test_each_refused_payment_names_its_field_and_changes_nothing(people, planned, values, field):
    first = plan_of(planned)[0]
    before = counts()
    with pytest.raises(ValidationError) as refused:
        pay(planned, first, values.pop("amount", "100.00"), people["rep"], **values)
    assert list(refused.value.errors) == [field]
    assert counts() == before


def test_an_over_payment_says_what_is_open_and_to_split_it(people, planned):
    first = plan_of(planned)[0]
    pay(planned, first, "25000.00", people["rep"])
    with pytest.raises(ValidationError) as refused:
        pay(planned, first, "6000.00", people["rep"])
    message = refused.value.errors["amount"][0]
    assert "only 5000.00 is open on instalment 1" in message and "next instalment" in message


def test_an_instalment_of_another_contract_is_refused(people, planned, make_contract):
    other = make_contract()
    set_plan(other, three_instalments(other), people["rep"])
    before = counts()
    with pytest.raises(ValidationError) as refused:
        pay(planned, plan_of(other)[0], "100.00", people["rep"])
    assert list(refused.value.errors) == ["instalment_id"]
    assert counts() == before


@pytest.mark.parametrize("status", ["approved", "completed", "terminated"])
def test_a_contract_not_signed_or_active_takes_no_payment(people, planned, status):
    first = plan_of(planned)[0]
    planned.status = status
    db.session.commit()
    before = counts()
    with pytest.raises(StateError) as refused:
        pay(planned, first, "100.00", people["rep"])
    assert list(refused.value.errors) == ["contract_id"]
    assert counts() == before


def test_a_reversal_takes_the_payment_back_out_and_reopens_the_instalment(people, planned):
    first = plan_of(planned)[0]
    pay(planned, first, "10000.00", people["rep"])
    full = pay(planned, first, "20000.00", people["rep"])
    with pytest.raises(ValidationError) as refused:
        payment_service.reverse_payment(full, "  ", people["rep"])
    assert list(refused.value.errors) == ["reason"]
    payment_service.reverse_payment(full, "Bounced cheque", people["rep"])
    db.session.expire_all()
    full = db.session.get(Payment, full.id)
    assert full.status == "reversed" and full.reversal_reason == "Bounced cheque"
    first = db.session.get(Instalment, first.id)
    assert first.collected == Decimal("10000.00") and first.settled_on is None
    assert db.session.get(Contract, planned.id).collected == Decimal("10000.00")
    with pytest.raises(StateError):
        payment_service.reverse_payment(full, "Twice", people["rep"])
    again = pay(planned, first, "20000.00", people["rep"])  # collected anew
    assert again.status == "confirmed"
    db.session.expire_all()
    assert db.session.get(Contract, planned.id).collected == Decimal("30000.00")
