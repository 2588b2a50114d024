"""Contracts (合同): created by hand or from an accepted quote, numbered by
the plugin's pattern a counter per month, checked field by field; the
sales settings schema that holds the number patterns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import MissingReferenceError, StateError, Team, ValidationError, db, plugin_settings
from plugins.sales.models import Contract, Quote
from plugins.sales.schemas.settings import SalesSettings
from plugins.sales.services.contracts import contract_from_quote, create_contract
from plugins.sales.services.contracts.editing import contract_number, update_contract


@pytest.fixture
def people(app, make_user):
    east, west = Team(name="East"), Team(name="West")
    db.session.add_all([east, west])
    db.session.commit()
    return {
        "admin": make_user(role="admin", name="Ada Admin"),
        "manager": make_user(role="manager", team=east, name="Max Manager"),
        "rep": make_user(role="sales", team=east, name="Rita Rep"),
        "other": make_user(role="sales", team=west, name="Otto Other"),
    }


@pytest.fixture
def customer(people, make_customer):
    return make_customer(name="Acme Tea", owner_id=people["rep"].id)


@pytest.fixture
def contact(customer, make_contact):
    return make_contact(customer=customer, name="Chen Jing")


@pytest.fixture
def make_contract(people, customer):
    def make(actor=None, **values):
        data = {
            "title": "Tea for every office",
            "customer_id": customer.id,
            "amount": "120000.00",
            "currency": "CNY",
            "start_date": "2030-01-01",
            "end_date": "2030-12-31",
            **values,
        }
        return create_contract(data, actor or people["rep"])

    return make


@pytest.fixture
def make_quote(people, customer):
    def make(status: str = "accepted", **values) -> Quote:
        quote = Quote(
            **{
                "number": f"QT-{db.session.scalar(select(func.count(Quote.id))) + 1:04}",
                "customer_id": customer.id,
                "owner_id": people["rep"].id,
                "team_id": people["rep"].team_id,
                "title": "Oolong for the year",
                "status": status,
                "currency": "CNY",
                "total": Decimal("98000.50"),
                "terms": "Paid in two parts",
                **values,
            }
        )
        db.session.add(quote)
        db.session.commit()
        return quote

    return make


def errors_of(excinfo) -> dict:
    return excinfo.value.errors


def count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Contract.id)))


def test_a_contract_is_created_as_a_numbered_draft_for_its_owner(people, make_contract):
    contract = make_contract()
    assert contract.status == "draft"
    assert contract.number.startswith("HT-") and contract.number.endswith("-0001")
    assert contract.owner_id == people["rep"].id and contract.team_id == people["rep"].team_id
    assert contract.amount == Decimal("120000.00") and contract.collected == Decimal("0")


def test_two_contracts_in_a_month_are_numbered_one_after_the_other_and_a_new_month_restarts(app):
    assert contract_number(on=date(2030, 3, 5)) == "HT-203003-0001"
    assert contract_number(on=date(2030, 3, 28)) == "HT-203003-0002"
    assert contract_number(on=date(2030, 4, 1)) == "HT-203004-0001"
    db.session.rollback()  # the numbers were given out in a transaction that did not commit
    assert contract_number(on=date(2030, 3, 9)) == "HT-203003-0001"


def test_the_number_pattern_comes_from_the_plugin_settings(app, register_plugin, tmp_path):
    assert SalesSettings().load({}) == {
        "quote_number": "QT-{yyyy}{mm}-{seq:04}",
        "contract_number": "HT-{yyyy}{mm}-{seq:04}",
    }
    loaded = SalesSettings().load({"contract_number": "C{yy}-{seq:05}"})
    assert loaded["contract_number"] == "C{yy}-{seq:05}"
    with pytest.raises(Exception) as bad:
        SalesSettings().load({"contract_number": "HT-{yyyy}"})
    assert "contract_number" in bad.value.messages
    with pytest.raises(Exception) as bad:
        SalesSettings().load({"quote_number": "Q-{seq}-{name}"})
    assert "quote_number" in bad.value.messages
    assert plugin_settings("sales")["contract_number"] == "HT-{yyyy}{mm}-{seq:04}"


@pytest.mark.parametrize(
    "values, field",
    [
        ({"end_date": "2029-12-31"}, "end_date"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"currency": "XXY"}, "currency"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_values_are_refused_by_field_and_nothing_is_saved(make_contract, values, field):
    with pytest.raises(ValidationError) as refused:
        make_contract(**values)
    assert field in errors_of(refused)
    assert count() == 0


def test_a_customer_the_rep_cannot_see_is_refused(people, make_customer, make_contract):
    private = make_customer(name="Beta Private", owner_id=people["other"].id)
    with pytest.raises(MissingReferenceError) as refused:
        make_contract(customer_id=private.id)
    assert "customer_id" in errors_of(refused)
    assert count() == 0


def test_a_contact_or_quote_of_another_customer_is_refused(
    people, make_customer, make_contact, make_contract, make_quote
):
    elsewhere = make_customer(name="Gamma", owner_id=people["rep"].id)
    stranger = make_contact(customer=elsewhere, name="Li Lei")
    with pytest.raises(ValidationError) as refused:
        make_contract(contact_id=stranger.id)
    assert "contact_id" in errors_of(refused)
    quote = make_quote(customer_id=elsewhere.id)
    with pytest.raises(ValidationError) as refused:
        make_contract(quote_id=quote.id)
    assert "quote_id" in errors_of(refused)
    assert count() == 0


def test_an_accepted_quote_becomes_a_contract_once(people, contact, make_quote):
    quote = make_quote(contact_id=contact.id)
    contract = contract_from_quote(quote, people["rep"])
    assert (contract.customer_id, contract.contact_id, contract.quote_id) == (
        quote.customer_id,
        contact.id,
        quote.id,
    )
    assert contract.amount == Decimal("98000.50") and contract.currency == "CNY"
    assert (contract.title, contract.terms, contract.status) == (
        "Oolong for the year",
        "Paid in two parts",
        "draft",
    )
    with pytest.raises(StateError) as again:
        contract_from_quote(quote, people["rep"])
    assert contract.number in errors_of(again)["quote_id"][0]
    with pytest.raises(StateError) as sent:
        contract_from_quote(make_quote(status="sent"), people["rep"])
    assert "quote_id" in errors_of(sent)
    assert count() == 1


def test_a_draft_is_edited_freely_and_its_dates_stay_in_order(people, make_contract):
    contract = make_contract()
    update_contract(contract, {"title": "Green tea", "amount": "130000"}, people["rep"])
    assert (contract.title, contract.amount) == ("Green tea", Decimal("130000"))
    with pytest.raises(ValidationError) as refused:
        update_contract(contract, {"start_date": "2031-02-01"}, people["rep"])
    assert "end_date" in errors_of(refused)
    db.session.refresh(contract)
    assert contract.start_date == date(2030, 1, 1)
