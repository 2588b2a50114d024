"""Contracts (合同) written as drafts: create one (by hand, from a deal, from
an accepted quote), number it, and edit it while it is still a draft.

A contract is numbered from the ``sales.contract`` sequence when it is
created, by the pattern in the plugin's settings (``contract_number``); the
number is given out in the creating transaction, so a rolled-back create
gives it back. Once a contract is signed it changes only by an amendment
(:mod:`.amendments`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.api import (
    Contact,
    User,
    audit,
    check_transfer,
    check_version,
    customer_for,
    db,
    ensure_unlocked,
    load,
    next_number,
    plugin_settings,
    refuse,
    snapshot,
    transaction,
    translator,
)

from ...models import Contract, Deal, Quote
from ...schemas.settings import CONTRACT_NUMBER
from ..access import visible_records
from ..validation import Currency, DefaultCurrency, Id, Money

_, _l = translator("sales")

#: a contract's own words, not its money or its parties
TEXT_FIELDS = ("title", "terms")


class SalesContractInput(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    customer_id = Id(required=True)
    amount = Money(
        required=True, metadata={"description": "above 0, up to 999999999999.99, two decimals"}
    )
    currency = DefaultCurrency()
    contact_id = Id(allow_none=True)
    deal_id = Id(allow_none=True)
    quote_id = Id(allow_none=True)
    owner_id = Id(allow_none=True)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    terms = fields.String(allow_none=True, validate=validate.Length(max=20000))


class SalesContractChange(SalesContractInput):
    """What a draft's edit may change, none of it required; the customer stays."""

    title = fields.String(validate=validate.Length(min=1, max=200))
    amount = Money(metadata={"description": "above 0, up to 999999999999.99, two decimals"})
    currency = Currency()

    class Meta:
        exclude = ("customer_id",)


def contract_number(on: date | None = None) -> str:
    """The next contract number, by the ``contract_number`` setting."""
    pattern = plugin_settings("sales").get("contract_number", CONTRACT_NUMBER)
    return next_number("sales.contract", pattern, on=on)


def create_contract(data: dict, actor: User | None) -> Contract:
    """A new draft contract from ``data`` (the API's JSON, a form's values):
    checked, numbered, saved, audited — one transaction."""
    values = load(SalesContractInput(), data)
    customer = customer_for(values["customer_id"], actor)
    missing: dict[str, list[str]] = {}
    if customer is None:
        missing["customer_id"] = [_("no customer with this id")]
    errors = check_values(values, None)
    if customer is not None:
        check_links(values, customer.id, actor, errors, missing)
    refuse(errors, missing=missing)
    owner_id = values.pop("owner_id", None) or (actor.id if actor else None)
    owner = db.session.get(User, owner_id) if owner_id else None
    assert customer is not None  # refused above otherwise
    with transaction():
        contract = Contract(
            **values,
            number=contract_number(),
            status="draft",
            owner_id=owner_id,
            team_id=owner.team_id if owner and owner.team_id else customer.team_id,
        )
        db.session.add(contract)
        db.session.flush()
        audit(actor, contract, "create", None, snapshot(contract))
    return contract


def contract_from_quote(quote: Quote, actor: User | None) -> Contract:
    """A draft contract for an accepted quote: its customer, contact, deal,
    total, currency, title and terms. A quote makes one live contract."""
    if quote.status != "accepted":
        refuse(state={"quote_id": [_("only an accepted quote becomes a contract")]})
    made = db.session.scalar(
        select(Contract).where(Contract.quote_id == quote.id, Contract.deleted_at.is_(None))
    )
    if made is not None:
        refuse(
            state={
                "quote_id": [
                    _("this quote already has a contract (%(number)s)", number=made.number)
                ]
            }
        )
    return create_contract(
        {
            "customer_id": quote.customer_id,
            "contact_id": quote.contact_id,
            "deal_id": quote.deal_id,
            "quote_id": quote.id,
            "title": quote.title,
            "amount": str(quote.total),
            "currency": quote.currency,
            "terms": quote.terms,
        },
        actor,
    )


def update_contract(
    contract: Contract, data: dict, actor: User | None, expected_version: int | None = None
) -> Contract:
    """Edit a draft; anything later changes by an amendment."""
    ensure_unlocked(contract)  # a contract waiting for approval stays as submitted
    if contract.status != "draft":
        refuse(state={"status": [_("only a draft is edited; amend a signed contract instead")]})
    values = load(SalesContractChange(), data, partial=True)
    errors = check_values(values, contract)
    missing: dict[str, list[str]] = {}
    check_links(values, contract.customer_id, actor, errors, missing)
    refuse(errors, missing=missing)
    check_transfer(actor, contract, values)  # a new owner needs customer.transfer
    check_version(contract, expected_version)
    with transaction():
        before = snapshot(contract)
        for key, value in values.items():
            setattr(contract, key, value)
        owner = db.session.get(User, values["owner_id"]) if values.get("owner_id") else None
        if owner is not None:  # the team follows the new owner
            contract.team_id = owner.team_id
        audit(actor, contract, "update", before, snapshot(contract))
    return contract


def check_values(values: dict, contract: Contract | None) -> dict[str, list[str]]:
    """The rules across a contract's own values: above 0, the end after the start."""
    errors: dict[str, list[str]] = {}
    if "amount" in values and values["amount"] <= Decimal("0"):
        errors["amount"] = [_("a contract's amount is above 0")]
    start = (
        values["start_date"] if "start_date" in values else getattr(contract, "start_date", None)
    )
    end = values["end_date"] if "end_date" in values else getattr(contract, "end_date", None)
    if start and end and end < start:
        errors["end_date"] = [_("the end date comes after the start date")]
    return errors


def check_links(
    values: dict, customer_id: int, actor: User | None, errors: dict, missing: dict
) -> None:
    """The contact, deal and quote belong to the contract's customer, the
    deal and quote are ones ``actor`` may see, the owner is an active user."""
    if values.get("contact_id") is not None:
        contact = db.session.get(Contact, values["contact_id"])
        if contact is None or contact.deleted_at is not None:
            missing["contact_id"] = [_("no contact with this id")]
        elif contact.customer_id != customer_id:
            errors["contact_id"] = [_("this contact works for another customer")]
    for key, model, other in (
        ("deal_id", Deal, _("this deal is another customer's")),
        ("quote_id", Quote, _("this quote is another customer's")),
    ):
        if values.get(key) is None:
            continue
        record: Any = db.session.scalar(
            visible_records(model, actor).where(model.id == values[key])
            if actor is not None
            else select(model).where(model.id == values[key], model.deleted_at.is_(None))
        )
        if record is None:
            missing[key] = [_("no record with this id")]
        elif record.customer_id != customer_id:
            errors[key] = [other]
    if values.get("owner_id") is not None:
        owner = db.session.get(User, values["owner_id"])
        if owner is None or not owner.is_active:
            missing["owner_id"] = [_("no active user with this id")]
