"""A term priced into its rows: :func:`_price_into` prices it with
``services/pricing.py`` on the product's premium table — the first
insured's age at the start, the first vehicle's class, the chosen covers and
their sums — and writes its coverages (on the insured, or on the first
object for motor and property), the year's and the term's premium, the sum
insured and the ``inputs`` it was priced on. A product at a fixed price
lists the covers chosen (else its mandatory ones) at no premium of their
own. Stored inputs keep amounts as text (:func:`_json_coverages`)."""

from __future__ import annotations

from decimal import Decimal

from core.api import db

from ...models import Coverage, InsuranceProduct, Policy
from ..premiums.schedule import term_premium
from ..pricing import price
from ..rates import product_rates
from .parties_input import insured_of, objects_of


def _json_coverages(rows: list[dict] | None) -> list[dict] | None:
    if rows is None:
        return None
    return [
        {
            "code": r["code"],
            "sum_insured": _text(r.get("sum_insured")),
            "deductible": _text(r.get("deductible")),
        }
        for r in rows
    ]


def _text(value) -> str | None:
    return None if value is None else str(value)


def _amount(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _price_into(
    policy: Policy,
    product: InsuranceProduct,
    coverages: list | None,
    sum_insured,
    *,
    stored: bool = False,
) -> None:
    """Price the term and write its coverages, premiums and ``inputs``."""
    wanted = None
    if coverages is not None:
        wanted = [
            {
                "code": c["code"],
                "sum_insured": _amount(c.get("sum_insured")),
                "deductible": _amount(c.get("deductible")),
            }
            for c in coverages
        ]
    insured = insured_of(policy.id)
    objects = objects_of(policy.id)
    birth_date = insured[0].person.birth_date if insured else None
    vehicle_class = next((o.vehicle_class for o in objects if o.vehicle_class), None)
    inputs = {
        "start_date": policy.start_date,
        "birth_date": birth_date,
        "sum_insured": _amount(sum_insured),
        "vehicle_class": vehicle_class,
        "covers": None
        if wanted is None
        else [{"code": w["code"], "sum_insured": w["sum_insured"]} for w in wanted],
    }
    priced = price(product, inputs, product_rates(product))
    by_cover = {c.code: c for c in product.covers}
    deductibles = {w["code"]: w["deductible"] for w in wanted or []}
    rows = priced.covers
    if not rows and product.covers:  # a fixed price: the covers chosen, priced as one
        chosen = wanted or [
            {"code": c.code, "sum_insured": None} for c in product.covers if c.mandatory
        ]
        rows = [
            _Row(
                w["code"],
                w["sum_insured"] if w["sum_insured"] is not None else inputs["sum_insured"],
                Decimal("0"),
            )
            for w in chosen
            if w["code"] in by_cover
        ]
    db.session.query(Coverage).filter(Coverage.policy_id == policy.id).delete()
    on_object = policy.line in ("motor", "property") and objects
    total_sum = Decimal("0")
    for row in rows:
        if row.code is None:
            continue
        cover = by_cover[row.code]
        deductible = deductibles.get(row.code)
        db.session.add(
            Coverage(
                policy_id=policy.id,
                cover_code=row.code,
                insured_id=None if on_object or not insured else insured[0].id,
                object_id=objects[0].id if on_object else None,
                sum_insured=row.sum_insured or Decimal("0"),
                deductible=deductible if deductible is not None else cover.default_deductible,
                annual_premium=row.annual_premium,
            )
        )
        total_sum += row.sum_insured or Decimal("0")
    if not any(r.code for r in rows):
        total_sum = inputs["sum_insured"] or Decimal("0")
    policy.annual_premium = priced.annual_premium
    policy.term_premium = term_premium(priced.annual_premium, product.term_months)
    policy.currency = priced.currency
    policy.sum_insured = total_sum
    policy.inputs = {
        "coverages": coverages if stored else _json_coverages(wanted),
        "sum_insured": _text(sum_insured),
        "age": priced.age,
        "vehicle_class": vehicle_class,
    }
    db.session.flush()


class _Row:
    def __init__(self, code: str, sum_insured: Decimal | None, annual_premium: Decimal):
        self.code, self.sum_insured, self.annual_premium = code, sum_insured, annual_premium
