"""Quotes (报价): a policy term before it is bound — made, edited while a
draft, priced and re-priced.

A quote is a policy row in draft or quoted. :func:`create_quote` writes it
with its parties, objects and coverages and prices it at once (status
quoted); ``revise`` takes a quoted or bound term back to draft, where
:func:`update_draft` (``PATCH /policies/{id}``) changes its inputs, and
``quote`` prices it again. Pricing is ``services/pricing.py`` on the
product's premium table: the first insured's age at the start, the first
vehicle's class, the chosen covers and their sums. It gives the year's
premium; the term's is ``schedule.term_premium`` over ``term_months``; the
term ends ``term_months`` after it starts, less a day (``end_date`` is
inclusive). A quote gets its number (``next_number("insurance.quote")``)
the first time it is priced, and is valid 30 days from the day it is
priced (``quote_valid_until``). The inputs are :mod:`.quote_input`'s; the
pricing into coverages and premiums is :mod:`.quote_pricing`'s.

Guards: the customer visible to the actor, the product live on the start
date (active, within ``effective_from``–``effective_to``), the frequency one
of the product's and dividing the term into whole instalments."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from core.api import (
    NotFoundError,
    User,
    add_months,
    audit,
    check_version,
    db,
    load,
    next_number,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
    visible_customer,
)

from ...models import Household, InsuranceProduct, Policy
from ..premiums.schedule import instalment_count
from ..states import POLICY
from ..terms import today
from .journal import QUOTE_PATTERN, log_policy
from .parties_input import check_people, write_parties
from .quote_input import DraftChange, QuoteInput
from .quote_pricing import _json_coverages, _price_into, _text

_, _l = translator("insurance")
#: how long a quote holds its price
QUOTE_VALID_DAYS = 30


def create_quote(data: dict, actor: User | None) -> Policy:
    """Write a quote for ``data`` (:class:`QuoteInput`) and price it; one
    transaction. Refusals name the field (422); a customer the actor may not
    see is a 422 naming ``customer_id``."""
    values = load(QuoteInput(), data)
    try:
        customer = visible_customer(values["customer_id"], actor)
    except NotFoundError:
        refuse(missing={"customer_id": [_("no customer with this id")]})
        raise  # unreachable: refuse raised
    product = _product(values["product_id"])
    _check_terms(product, values["start_date"], values["frequency"])
    check_people(customer.id, product.line, values["insured"], values["beneficiaries"], actor)
    agent_id = values.get("agent_id") or (actor.id if actor is not None else None)
    with transaction():
        policy = Policy(
            customer_id=customer.id,
            status="draft",
            term_no=1,
            annual_premium=Decimal("0"),
            term_premium=Decimal("0"),
            deal_id=values.get("deal_id"),
        )
        _apply_head(policy, product, values)
        _credit(policy, agent_id)
        policy.household_id = _household(values.get("household_id"))
        db.session.add(policy)
        db.session.flush()
        write_parties(policy, values["insured"], values["beneficiaries"], values["objects"])
        _price_into(policy, product, values.get("coverages"), values.get("sum_insured"))
        _quoted(policy)
        db.session.flush()
        audit(actor, policy, "create", None, snapshot(policy))
        log_policy(policy, actor, _("Quote %(number)s made", number=policy.quote_number))
    return policy


def update_draft(
    policy: Policy, data: dict, actor: User | None, expected_version: int | None = None
) -> Policy:
    """Change a draft's inputs (``PATCH``); only a draft is editable (409
    otherwise: ``revise`` it first). The premium is priced again at ``quote``."""
    if policy.status != "draft":
        refuse(state={"status": [_("only a draft can be changed: revise the quote first")]})
    values = load(DraftChange(), data)
    product = _product(values.get("product_id", policy.product_id))
    start = values.get("start_date", policy.start_date)
    frequency = values.get("frequency", policy.frequency)
    _check_terms(product, start, frequency)
    beneficiaries = values.get("beneficiaries")
    check_people(
        policy.customer_id, product.line, values.get("insured", []), beneficiaries or [], actor
    )
    if beneficiaries is None and product.line != policy.line:
        beneficiaries = []  # a product of another line: beneficiaries only where they belong
    check_version(policy, expected_version)
    with transaction():
        before = snapshot(policy)
        _apply_head(policy, product, {"start_date": start, "frequency": frequency})
        if "agent_id" in values:
            _credit(policy, values["agent_id"] or (actor.id if actor else None))
        if "household_id" in values:
            policy.household_id = _household(values["household_id"])
        inputs = dict(policy.inputs or {})
        if "coverages" in values:
            inputs["coverages"] = _json_coverages(values["coverages"])
        if "sum_insured" in values:
            inputs["sum_insured"] = _text(values["sum_insured"])
        policy.inputs = inputs
        write_parties(policy, values.get("insured"), beneficiaries, values.get("objects"))
        db.session.flush()
        audit(actor, policy, "update", before, snapshot(policy))
    return policy


def quote(policy: Policy, actor: User | None, expected_version: int | None = None) -> Policy:
    """Price a draft or a quoted term again (``quote``): a new premium and
    30 more days of validity; the quote number stays."""
    check_version(policy, expected_version)
    target = POLICY.move(policy.status, "quote")
    product = _product(policy.product_id)
    _check_terms(product, policy.start_date, policy.frequency)
    with transaction():
        before = snapshot(policy)
        inputs = policy.inputs or {}
        _price_into(
            policy, product, inputs.get("coverages"), inputs.get("sum_insured"), stored=True
        )
        policy.status = target
        _quoted(policy)
        db.session.flush()
        audit(actor, policy, "quote", before, snapshot(policy))
        log_policy(
            policy,
            actor,
            _(
                "Quote %(number)s priced: %(premium)s a year",
                number=policy.quote_number,
                premium=policy.annual_premium,
            ),
        )
    return policy


def revise(policy: Policy, actor: User | None, expected_version: int | None = None) -> Policy:
    """Take a quoted or bound term back to draft, editable again."""
    check_version(policy, expected_version)
    target = POLICY.move(policy.status, "revise")
    with transaction():
        before = snapshot(policy)
        policy.status = target
        policy.bound_at = None
        db.session.flush()
        audit(actor, policy, "revise", before, snapshot(policy))
        log_policy(policy, actor, _("Quote %(number)s back to draft", number=policy.display_number))
    return policy


def reprice(policy: Policy) -> Decimal:
    """Price ``policy`` on its stored inputs and parties (its coverages
    rewritten); returns the new year's premium. For endorsements."""
    product = _product(policy.product_id)
    inputs = policy.inputs or {}
    _price_into(policy, product, inputs.get("coverages"), inputs.get("sum_insured"), stored=True)
    return policy.annual_premium


def _product(product_id: int) -> InsuranceProduct:
    product = db.session.get(InsuranceProduct, product_id)
    if product is None or product.deleted_at is not None:
        refuse(missing={"product_id": [_("no product with this id")]})
    assert product is not None
    return product


def _check_terms(product: InsuranceProduct, start, frequency: str) -> None:
    """The product sold on ``start`` at ``frequency`` (422 by field)."""
    if (
        not product.active
        or start < product.effective_from
        or (product.effective_to is not None and start > product.effective_to)
    ):
        refuse({"product_id": [_("the product is not sold for this start date")]})
    if frequency not in (product.frequencies or ["annual"]):
        refuse({"frequency": [_("the product is not paid at this frequency")]})
    instalment_count(product.term_months, frequency)


def _apply_head(policy: Policy, product: InsuranceProduct, values: dict) -> None:
    """Product, carrier, line, currency, start and end, frequency."""
    policy.product_id, policy.carrier_id = product.id, product.carrier_id
    policy.line, policy.currency = product.line, product.currency
    policy.start_date = values["start_date"]
    policy.end_date = add_months(values["start_date"], product.term_months) - timedelta(days=1)
    if policy.term_no == 1 or policy.inception_on is None:
        policy.inception_on = values["start_date"]
    policy.frequency = values["frequency"]
    if "coverages" in values or "sum_insured" in values or policy.inputs is None:
        policy.inputs = {
            "coverages": _json_coverages(values.get("coverages")),
            "sum_insured": _text(values.get("sum_insured")),
        }


def _credit(policy: Policy, agent_id: int | None) -> None:
    """Credit the term to ``agent_id`` (its team copied)."""
    agent = db.session.get(User, agent_id) if agent_id is not None else None
    if agent_id is not None and agent is None:
        refuse(missing={"agent_id": [_("no user with this id")]})
    policy.agent_id = agent.id if agent else None
    policy.team_id = agent.team_id if agent else None


def _household(household_id: int | None) -> int | None:
    if household_id is None:
        return None
    found = db.session.get(Household, household_id)
    if found is None or found.deleted_at is not None:
        refuse(missing={"household_id": [_("no household with this id")]})
    return household_id


def _quoted(policy: Policy) -> None:
    """Number (first time), priced now, valid 30 days."""
    if policy.quote_number is None:
        policy.quote_number = next_number("insurance.quote", QUOTE_PATTERN)
    policy.status = "quoted"
    policy.quoted_at = utcnow()
    policy.quote_valid_until = today() + timedelta(days=QUOTE_VALID_DAYS)
