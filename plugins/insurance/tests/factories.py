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


def licensed_agent(user, code: str, expires_on: date | None = None):
    """An insurance agent row for ``user`` with a licence (default: valid a year)."""
    from plugins.insurance.models import Agent
    from plugins.insurance.services.terms import today

    agent = Agent(
        user_id=user.id,
        code=code,
        licence_no=f"LIC-{code}",
        licence_expires_on=expires_on or today().replace(year=today().year + 1),
    )
    db.session.add(agent)
    db.session.flush()
    return agent


def priced_product(
    name: str = "Family motor",
    line: str = "motor",
    *,
    frequencies: tuple[str, ...] = ("annual", "monthly"),
    **fields,
) -> InsuranceProduct:
    """A table-priced product of the test carrier with two covers — ``TPL``
    (third-party liability, mandatory, 1,200.00 a year) and ``OD`` (own
    damage, 4 per mille of the sum insured) — sold from 2000 on."""
    from plugins.insurance.models import Cover, Rate

    product = product_named(name, line)
    product.pricing = "table"
    product.frequencies = list(frequencies)
    for key, value in fields.items():
        setattr(product, key, value)
    if not product.covers:
        product.covers = [
            Cover(code="TPL", name="Third-party liability", mandatory=True),
            Cover(
                code="OD",
                name="Own damage",
                min_sum_insured=Decimal("1000"),
                default_deductible=Decimal("500"),
            ),
        ]
        db.session.add_all(
            [
                Rate(product_id=product.id, cover_code="TPL", annual_premium=Decimal("1200.00")),
                Rate(product_id=product.id, cover_code="OD", rate_per_mille=Decimal("4")),
            ]
        )
    db.session.flush()
    return product


def make_issued_policy(
    customer,
    agent,
    number: str,
    start_date: date,
    *,
    term_months: int = 12,
    frequency: str = "annual",
    premium: str | Decimal = "1200.00",
    product: str = "Fleet motor",
    line: str = "motor",
    product_fields: dict | None = None,
    **fields,
) -> Policy:
    """An issued term (not committed): the policy in force from
    ``start_date`` for ``term_months`` at ``premium`` a year, its
    instalment schedule for ``frequency`` and its ``new_business``
    transaction — what issuing writes, without the issue service.
    ``product_fields`` set the product's own (``grace_days``,
    ``reinstatement_days``, ``clawback_months`` …)."""
    from datetime import timedelta

    from core.api import add_months
    from plugins.insurance.services.policies.transactions import add_transaction
    from plugins.insurance.services.premiums import schedule

    found = product_named(product, line)
    for key, value in (product_fields or {}).items():
        setattr(found, key, value)
    annual = Decimal(premium)
    policy = make_policy(
        customer,
        agent,
        number,
        start_date,
        add_months(start_date, term_months) - timedelta(days=1),
        premium=annual,
        product=product,
        frequency=frequency,
        issued_on=fields.pop("issued_on", start_date),
        team_id=fields.pop("team_id", agent.team_id if agent else None),
        **fields,
    )
    policy.term_premium = schedule.term_premium(annual, term_months)
    db.session.flush()
    schedule.make_schedule(policy, term_months)
    add_transaction(policy, "new_business", start_date, policy.term_premium, None)
    db.session.flush()
    return policy
