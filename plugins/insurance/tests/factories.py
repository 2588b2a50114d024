"""Policies for the tests: a term in force of a product of a carrier,
made on the fly by name (the catalogue's own tests make theirs)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.api import db
from plugins.insurance.models import Carrier, InsuranceProduct, Policy


def product_named(name: str, line: str = "motor", currency: str = "CNY") -> InsuranceProduct:
    """The test carrier's product ``name`` (made the first time)."""
    carrier = db.session.scalar(select(Carrier).where(Carrier.code == "TEST"))
    if carrier is None:
        carrier = Carrier(code="TEST", name="Test Mutual")
        db.session.add(carrier)
        db.session.flush()
    product = db.session.scalar(
        select(InsuranceProduct).where(
            InsuranceProduct.carrier_id == carrier.id, InsuranceProduct.name == name
        )
    )
    if product is None:
        count = db.session.scalar(select(db.func.count()).select_from(InsuranceProduct)) or 0
        product = InsuranceProduct(
            carrier_id=carrier.id,
            code=f"T{count + 1}",
            name=name,
            line=line,
            currency=currency,
            effective_from=date(2000, 1, 1),
        )
        db.session.add(product)
        db.session.flush()
    return product


def make_policy(
    customer,
    agent,
    number: str,
    start_date: date,
    end_date: date,
    premium: str | Decimal = "12800.50",
    product: str = "Fleet motor",
    **fields,
) -> Policy:
    """A term in force (not committed)."""
    found = product_named(product)
    policy = Policy(
        number=number,
        customer_id=customer.id,
        product_id=found.id,
        carrier_id=found.carrier_id,
        line=found.line,
        status=fields.pop("status", "in_force"),
        annual_premium=Decimal(premium),
        term_premium=Decimal(premium),
        currency=fields.pop("currency", "CNY"),
        start_date=start_date,
        end_date=end_date,
        inception_on=start_date,
        agent_id=agent.id if agent else None,
        **fields,
    )
    db.session.add(policy)
    return policy
