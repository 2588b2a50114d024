"""Core's merge, transfer and purge over the sales money records — quotes,
contracts and their amendments, instalments, payments, invoices, billing
details — through core's own API, as an admin does them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import Team, db
from plugins.sales.models import (
    BillingProfile,
    Contract,
    ContractAmendment,
    Instalment,
    Invoice,
    Payment,
    Quote,
    QuoteLine,
)
from plugins.sales.services.contracts import create_contract

MODELS = (Quote, QuoteLine, Contract, ContractAmendment, Instalment, Payment, Invoice)


@pytest.fixture
def world(app, make_user, make_customer):
    east, west = Team(name="East"), Team(name="West")
    db.session.add_all([east, west])
    db.session.commit()
    admin = make_user(role="admin", name="Ada Admin")
    rep = make_user(role="sales", team=east, name="Rita Rep")
    heir = make_user(role="sales", team=west, name="Hugo Heir")
    return {"admin": admin, "rep": rep, "heir": heir, "make_customer": make_customer}


def money_records(customer, owner, *, quote_status="sent", contract_status="active") -> dict:
    """A quote with a line (and its revision), a contract with an amendment,
    an instalment, a payment and an invoice: the whole tree of one customer."""
    quote = Quote(
        number=f"QT-{customer.id}",
        customer_id=customer.id,
        owner_id=owner.id,
        team_id=owner.team_id,
        title="Oolong",
        status="superseded",
        total=Decimal("10.00"),
    )
    db.session.add(quote)
    db.session.flush()
    revision = Quote(
        number=quote.number,
        revision=2,
        supersedes_id=quote.id,
        customer_id=customer.id,
        owner_id=owner.id,
        team_id=owner.team_id,
        title="Oolong",
        status=quote_status,
        total=Decimal("10.00"),
    )
    db.session.add(revision)
    db.session.flush()
    db.session.add(
        QuoteLine(
            quote_id=revision.id,
            description="Tea",
            list_price=Decimal("10"),
            unit_price=Decimal("10"),
            quantity=Decimal("1"),
            total=Decimal("10"),
        )
    )
    db.session.commit()
    contract = create_contract(
        {
            "title": "Tea",
            "customer_id": customer.id,
            "amount": "10.00",
            "owner_id": owner.id,
            "quote_id": revision.id,
        },
        None,
    )
    contract.status = contract_status
    db.session.add(ContractAmendment(contract_id=contract.id, number=1, reason="More", changes={}))
    copies = {
        "contract_id": contract.id,
        "customer_id": customer.id,
        "owner_id": owner.id,
        "team_id": owner.team_id,
        "currency": "CNY",
    }
    instalment = Instalment(number=1, due_date=date(2030, 1, 1), amount=Decimal("10"), **copies)
    db.session.add(instalment)
    db.session.flush()
    payment = Payment(
        instalment_id=instalment.id, amount=Decimal("10"), paid_on=date(2030, 1, 1), **copies
    )
    db.session.add(payment)
    db.session.flush()
    invoice = Invoice(payment_id=payment.id, amount=Decimal("10"), title="Acme", **copies)
    db.session.add(invoice)
    db.session.commit()
    return {
        "quote": quote,
        "revision": revision,
        "contract": contract,
        "instalment": instalment,
        "payment": payment,
        "invoice": invoice,
    }


def test_a_merge_moves_every_money_record_and_keeps_the_survivors_billing_details(world, as_user):
    make_customer, rep = world["make_customer"], world["rep"]
    survivor = make_customer(name="Acme", owner_id=rep.id)
    merged = make_customer(name="ACME Ltd", owner_id=rep.id)
    records = money_records(merged, rep)
    db.session.add_all(
        [
            BillingProfile(customer_id=survivor.id, title="Acme (survivor)"),
            BillingProfile(customer_id=merged.id, title="ACME Ltd (merged)"),
        ]
    )
    db.session.commit()
    got = as_user(world["admin"]).post(
        f"/api/v1/customers/{survivor.id}/merge", json={"merge_id": merged.id}
    )
    assert got.status_code == 200, got.json
    db.session.expire_all()
    for key in ("quote", "revision", "contract", "instalment", "payment", "invoice"):
        row = db.session.get(type(records[key]), records[key].id)
        assert row.customer_id == survivor.id, key
    profiles = db.session.scalars(select(BillingProfile)).all()
    assert [(p.customer_id, p.title) for p in profiles] == [(survivor.id, "Acme (survivor)")]


def test_a_merge_takes_the_merged_billing_details_when_the_survivor_has_none(world, as_user):
    make_customer, rep = world["make_customer"], world["rep"]
    survivor = make_customer(name="Acme", owner_id=rep.id)
    merged = make_customer(name="ACME Ltd", owner_id=rep.id)
    db.session.add(BillingProfile(customer_id=merged.id, title="ACME Ltd (merged)"))
    db.session.commit()
    got = as_user(world["admin"]).post(
        f"/api/v1/customers/{survivor.id}/merge", json={"merge_id": merged.id}
    )
    assert got.status_code == 200, got.json
    db.session.expire_all()
    (profile,) = db.session.scalars(select(BillingProfile)).all()
    assert (profile.customer_id, profile.title) == (survivor.id, "ACME Ltd (merged)")


def test_a_transfer_moves_open_quotes_and_contracts_with_their_copies(world, as_user):
    make_customer, rep, heir = world["make_customer"], world["rep"], world["heir"]
    open_ = money_records(make_customer(name="Open", owner_id=rep.id), rep)
    closed = money_records(
        make_customer(name="Closed", owner_id=rep.id),
        rep,
        quote_status="accepted",
        contract_status="completed",
    )
    got = as_user(world["admin"]).post(
        f"/api/v1/users/{rep.id}/transfer", json={"to_user_id": heir.id}
    )
    assert got.status_code == 200, got.json
    db.session.expire_all()

    def owner(record):
        row = db.session.get(type(record), record.id)
        return row.owner_id, row.team_id

    moved = (heir.id, heir.team_id)
    stayed = (rep.id, rep.team_id)
    assert owner(open_["revision"]) == moved  # sent: still open
    assert owner(open_["quote"]) == stayed  # superseded: history stays with its author
    for key in ("contract", "instalment", "payment", "invoice"):
        assert owner(open_[key]) == moved, key
    assert owner(closed["revision"]) == stayed  # accepted
    for key in ("contract", "instalment", "payment", "invoice"):
        assert owner(closed[key]) == stayed, key
    assert db.session.get(Contract, open_["contract"].id).version > 1


def test_a_purge_deletes_the_whole_tree_and_leaves_other_customers_alone(world, as_user):
    make_customer, rep = world["make_customer"], world["rep"]
    gone = make_customer(name="Gone", owner_id=rep.id)
    kept = make_customer(name="Kept", owner_id=rep.id)
    money_records(gone, rep)
    money_records(kept, rep)
    db.session.add_all(
        [
            BillingProfile(customer_id=gone.id, title="Gone"),
            BillingProfile(customer_id=kept.id, title="Kept"),
        ]
    )
    db.session.commit()
    api = as_user(world["admin"])
    assert api.delete(f"/api/v1/customers/{gone.id}").status_code == 204
    purged = api.delete(f"/api/v1/recycle-bin/{gone.id}")
    assert purged.status_code == 204, purged.json
    db.session.expire_all()
    counts = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}
    assert counts == {
        "Quote": 2,
        "QuoteLine": 1,
        "Contract": 1,
        "ContractAmendment": 1,
        "Instalment": 1,
        "Payment": 1,
        "Invoice": 1,
    }
    assert db.session.scalars(select(Contract.customer_id)).all() == [kept.id]
    assert db.session.scalars(select(BillingProfile.title)).all() == ["Kept"]
