"""What a product costs a year (保费), from its premium table (费率表) — pure:
:func:`price` reads only the product, its rows and the inputs, and writes
nothing, so quoting, renewal quotes and the "try a price" form agree.

For each chosen cover (or the whole policy, on a product without covers)
the one row whose bands contain the inputs is used: the insured's age at the
term's start in whole years, the sum insured, the vehicle class (a row with
no band or class fits any). Its premium is the row's year's premium, or the
sum insured × rate per mille / 1000 rounded half up to the cent; the
policy's is their sum. No row → 422 naming the input that no row accepts
(``vehicle_class``, ``age``, ``sum_insured``). A fixed-price product costs
its fixed premium whatever the inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, fields, validate

from core.api import Amount, ValidationError, load, refuse, translator

from ..models import InsuranceProduct, Rate
from .rates import product_rates

_, _l = translator("insurance")
CENT = Decimal("0.01")


class CoverChoice(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=30))
    sum_insured = Amount(
        allow_none=True,
        load_default=None,
        metadata={"description": "left out: the policy's sum insured"},
    )


class PriceInput(Schema):
    """What a premium depends on."""

    start_date = fields.Date(required=True, metadata={"description": "the term's first day"})
    birth_date = fields.Date(allow_none=True, load_default=None)
    sum_insured = Amount(allow_none=True, load_default=None)
    vehicle_class = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=20)
    )
    covers = fields.List(
        fields.Nested(CoverChoice),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=50),
        metadata={"description": "the covers chosen; left out: the product's mandatory ones"},
    )


@dataclass(frozen=True)
class CoverPrice:
    code: str | None  # None: the whole policy
    sum_insured: Decimal | None
    annual_premium: Decimal


@dataclass(frozen=True)
class Price:
    covers: list[CoverPrice]
    annual_premium: Decimal
    currency: str
    age: int | None


def age_on(birth_date: date, on: date) -> int:
    """Whole years from ``birth_date`` to ``on`` (born 29 February: a year
    older on 1 March of a common year)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def price(product: InsuranceProduct, inputs: dict, rates: Sequence[Rate]) -> Price:
    """The year's premium of ``product`` per cover and in total, for
    ``inputs`` (as :class:`PriceInput` loads them) and its premium table
    ``rates``. Raises a 422 naming the input no row accepts."""
    age = age_on(inputs["birth_date"], inputs["start_date"]) if inputs["birth_date"] else None
    if age is not None and age < 0:
        refuse({"birth_date": [_("on or before the term's start")]})
    chosen = _chosen_covers(product, inputs)
    if product.pricing == "fixed":
        if product.fixed_premium is None:
            refuse({"product": [_("the product has no premium yet")]})
        return Price([], product.fixed_premium or Decimal("0"), product.currency, age)
    priced = []
    for code, sum_insured in chosen:
        row = _row_for([r for r in rates if r.cover_code == code], inputs, age, sum_insured)
        if row.annual_premium is not None:
            premium = row.annual_premium
        elif sum_insured is None:
            raise ValidationError({"sum_insured": [_("give the sum insured")]})
        else:
            premium = round_cents(sum_insured * (row.rate_per_mille or 0) / 1000)
        priced.append(CoverPrice(code, sum_insured, premium))
    total = sum((p.annual_premium for p in priced), start=Decimal("0"))
    return Price(priced, total, product.currency, age)


def _chosen_covers(
    product: InsuranceProduct, inputs: dict
) -> list[tuple[str | None, Decimal | None]]:
    """(cover code, sum insured) of each cover priced; [(None, sum)] on a
    product without covers."""
    if not product.covers:
        return [(None, inputs["sum_insured"])]
    by_code = {cover.code: cover for cover in product.covers}
    asked = inputs["covers"]
    if asked is None:
        asked = [{"code": c.code, "sum_insured": None} for c in product.covers if c.mandatory]
    errors: dict[str, list[str]] = {}
    chosen: list[tuple[str | None, Decimal | None]] = []
    for i, choice in enumerate(asked):
        cover = by_code.get(choice["code"])
        if cover is None:
            errors[f"covers.{i}.code"] = [_("the product has no cover with this code")]
            continue
        amount = (
            choice["sum_insured"] if choice["sum_insured"] is not None else inputs["sum_insured"]
        )
        if amount is not None and (
            amount < cover.min_sum_insured
            or (cover.max_sum_insured is not None and amount > cover.max_sum_insured)
        ):
            errors[f"covers.{i}.sum_insured"] = [_("outside the cover's sums insured")]
        chosen.append((cover.code, amount))
    left_out = [c.code for c in product.covers if c.mandatory and c.code not in dict(chosen)]
    if left_out:
        errors["covers"] = [_("the product requires: %(codes)s", codes=", ".join(left_out))]
    if not asked:
        errors["covers"] = [_("choose at least one cover")]
    refuse(errors)
    return chosen


def _row_for(rows: list[Rate], inputs: dict, age: int | None, amount: Decimal | None) -> Rate:
    """The one row that fits, narrowing by class, age and sum in turn so
    that the refusal names the input that left no row."""
    klass = inputs["vehicle_class"]
    rows = [r for r in rows if r.vehicle_class is None or r.vehicle_class == klass]
    if not rows:
        refuse({"vehicle_class": [_("the premium table has no row for this vehicle class")]})
    rows = [r for r in rows if _within(age, r.age_from, r.age_to)]
    if not rows:
        field = "age" if age is not None else "birth_date"
        refuse({field: [_("the premium table has no row for this age")]})
    rows = [r for r in rows if _within(amount, r.sum_from, r.sum_to)]
    if not rows:
        refuse({"sum_insured": [_("the premium table has no row for this sum insured")]})
    return rows[0]


def _within(value, low, high) -> bool:
    """Is ``value`` in the inclusive band (None ends: open)? No value fits
    only a row without the band."""
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or low <= value) and (high is None or value <= high)


def price_product(product: InsuranceProduct, payload: dict) -> Price:
    """:func:`price` for an input as the API or a form sends it, on the
    product's stored premium table."""
    return price(product, load(PriceInput(), payload), product_rates(product))
