"""A product's premium table (费率表): its rows, replaced as a whole, in
one transaction, on the product's version.

A row gives exactly one of a year's premium and a rate per mille of the sum
insured, for the bands it names (age, sum insured; inclusive at both ends,
empty: any) and a vehicle class (empty: any). No two rows of one product,
cover and vehicle class may claim the same age and sum (422 naming the later
row, ``rates.<i>``): pricing must find one row, never two.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from marshmallow import Schema, fields, post_load, validate
from sqlalchemy import select

from core.api import (
    Amount,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    load,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ..models import InsuranceProduct, Rate
from .catalogue import decimal_between

_, _l = translator("insurance")
MAX_RATES = 500


class RateInput(Schema):
    cover_code = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=30),
        metadata={"description": "a cover of the product; empty: the whole policy"},
    )
    age_from = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(0, 150))
    age_to = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(0, 150))
    sum_from = Amount(allow_none=True, load_default=None)
    sum_to = Amount(allow_none=True, load_default=None)
    vehicle_class = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=20)
    )
    annual_premium = Amount(allow_none=True, load_default=None)
    rate_per_mille = fields.Decimal(
        as_string=True,
        allow_none=True,
        load_default=None,
        validate=decimal_between(
            Decimal("0"),
            Decimal("99999.9999"),
            4,
            _l("give a rate per mille such as 1.25, with at most four decimal places"),
        ),
    )

    @post_load
    def blanks_are_none(self, data: dict, **kwargs) -> dict:
        for name in ("cover_code", "vehicle_class"):
            data[name] = (data.get(name) or "").strip() or None
        return data


def product_rates(product: InsuranceProduct) -> list[Rate]:
    """The product's premium table, its rows in the order they were written."""
    return list(
        db.session.scalars(select(Rate).where(Rate.product_id == product.id).order_by(Rate.id))
    )


def set_rates(
    product: InsuranceProduct,
    payload: object,
    actor: User | None,
    expected_version: int | None = None,
) -> list[Rate]:
    """Replace the product's premium table; a bad row is named by its index
    (``rates.2.age_to``, or ``rates.2`` for a rule across its fields) and
    nothing changes."""
    if not isinstance(payload, list) or len(payload) > MAX_RATES:
        refuse({"rates": [_("a list of at most %(num)d rows", num=MAX_RATES)]})
    assert isinstance(payload, list)
    errors: dict[str, list[str]] = {}
    rows: list[dict] = []
    codes = {cover.code for cover in product.covers}
    for i, raw in enumerate(payload):
        try:
            row = load(RateInput(), raw)
        except ValidationError as exc:
            errors.update({f"rates.{i}.{k}": v for k, v in exc.errors.items()})
            continue
        errors.update(_row_errors(i, row, codes))
        rows.append({**row, "index": i})
    errors.update(overlaps(rows))
    refuse(errors)
    check_version(product, expected_version)
    with transaction():
        before = {**snapshot(product), "rates": [_rate_dict(r) for r in product_rates(product)]}
        for old in product_rates(product):
            db.session.delete(old)
        new = [
            Rate(product_id=product.id, **{k: v for k, v in row.items() if k != "index"})
            for row in rows
        ]
        db.session.add_all(new)
        product.updated_at = utcnow()  # its version moves on
        db.session.flush()
        audit(actor, product, "update", before, {**snapshot(product), "rates": _rate_dicts(new)})
    return product_rates(product)


def _row_errors(i: int, row: dict, codes: set[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if row["cover_code"] is not None and row["cover_code"] not in codes:
        errors[f"rates.{i}.cover_code"] = [_("the product has no cover with this code")]
    if (row["annual_premium"] is None) == (row["rate_per_mille"] is None):
        errors[f"rates.{i}"] = [_("give either a year's premium or a rate per mille, not both")]
    for low, high in (("age_from", "age_to"), ("sum_from", "sum_to")):
        if row[low] is not None and row[high] is not None and row[high] < row[low]:
            errors[f"rates.{i}.{high}"] = [_("at least the band's lower end")]
    return errors


def _band_overlaps(a_from, a_to, b_from, b_to) -> bool:
    """Inclusive bands, None open-ended: do they share a value?"""
    return (a_to is None or b_from is None or b_from <= a_to) and (
        b_to is None or a_from is None or a_from <= b_to
    )


def overlaps(rows: Sequence[dict]) -> dict[str, list[str]]:
    """``rates.<i>`` for each row whose bands claim an age and sum an earlier
    row of the same cover and vehicle class claims (no class: every class)."""
    errors: dict[str, list[str]] = {}
    for j, later in enumerate(rows):
        for earlier in rows[:j]:
            same_class = (
                earlier["vehicle_class"] is None
                or later["vehicle_class"] is None
                or earlier["vehicle_class"] == later["vehicle_class"]
            )
            if (
                earlier["cover_code"] == later["cover_code"]
                and same_class
                and _band_overlaps(
                    earlier["age_from"], earlier["age_to"], later["age_from"], later["age_to"]
                )
                and _band_overlaps(
                    earlier["sum_from"], earlier["sum_to"], later["sum_from"], later["sum_to"]
                )
            ):
                errors.setdefault(f"rates.{later['index']}", []).append(
                    _("its bands overlap row %(n)d's", n=earlier["index"] + 1)
                )
                break
    return errors


def _rate_dict(rate: Rate) -> dict:
    return {
        name: None if (value := getattr(rate, name)) is None else str(value)
        for name in (
            "cover_code",
            "age_from",
            "age_to",
            "sum_from",
            "sum_to",
            "vehicle_class",
            "annual_premium",
            "rate_per_mille",
        )
    }


def _rate_dicts(rates: list[Rate]) -> list[dict]:
    return [_rate_dict(rate) for rate in rates]
