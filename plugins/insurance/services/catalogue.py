"""The catalogue's rules: carriers (保险公司), their products by line of
business (险种) with their coverages (保障责任), and each product's premium
table (费率表).

Codes are unique (a carrier's among carriers, a product's within its
carrier: 409 naming ``code``); a product's terms are whole days or months,
never negative; its covers are replaced as a whole, in one transaction, on
the product's version. The premium table's rules are in :mod:`.rates`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import marshmallow
from babel.numbers import list_currencies
from marshmallow import Schema, fields, post_load, validate, validates_schema
from sqlalchemy import Select, select

from core.api import (
    Amount,
    Flag,
    TakenError,
    User,
    audit,
    check_version,
    db,
    instance_currency,
    load,
    refuse,
    save,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ..models import FREQUENCIES, LINES, PRICINGS, Carrier, Cover, InsuranceProduct
from ..models.catalogue import CHARGE_CATEGORIES

_, _l = translator("insurance")

#: kinds of document a claim may need (the claims slice's ``insurance_document.kind``)
CLAIM_DOCUMENT_KINDS = (
    "recorded_sale",
    "application",
    "id_card",
    "claim_form",
    "invoice",
    "medical",
    "police_report",
    "photo",
    "other",
)
#: lines whose products keep a longer grace period and allow reinstatement
LONG_LINES = ("life", "health")
MAX_COVERS = 50
_ID = validate.Range(1, 2**31 - 1)
_DAYS = validate.Range(0, 3650, error=_l("give a whole number of days from 0 to 3650"))
_CURRENCIES = sorted(list_currencies())


def decimal_between(low: Decimal, high: Decimal, places: int, message) -> Callable:
    """A validator: a decimal from ``low`` to ``high`` with at most ``places``
    decimal places (a function, so the OpenAPI document keeps its types)."""

    def check(value: Decimal) -> None:
        exponent = value.as_tuple().exponent
        if not (low <= value <= high) or (isinstance(exponent, int) and -exponent > places):
            raise marshmallow.ValidationError(str(message))

    return check


def _days(**kwargs) -> fields.Integer:
    return fields.Integer(strict=True, validate=_DAYS, **kwargs)


def _code(size: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=size), **kwargs)


class _Stripped(Schema):
    """Codes and names are kept without surrounding spaces."""

    @post_load
    def strip(self, data: dict, **kwargs) -> dict:
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


class CarrierInput(_Stripped):
    code = _code(20, required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    active = Flag(load_default=True)
    statement_columns = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=80)),
        values=fields.String(validate=validate.Length(min=1, max=40)),
        allow_none=True,
        metadata={"description": "the carrier's commission statement CSV header → our column"},
    )


class CarrierChange(CarrierInput):
    """What a PATCH may change: any of the carrier's fields, none required."""

    code = _code(20)
    name = fields.String(validate=validate.Length(min=1, max=120))
    active = Flag()


class CoverInput(_Stripped):
    code = _code(30, required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    mandatory = Flag(load_default=False)
    min_sum_insured = Amount(load_default=Decimal("0"))
    max_sum_insured = Amount(allow_none=True, load_default=None)
    default_deductible = Amount(load_default=Decimal("0"))

    @validates_schema
    def bounds_in_order(self, data: dict, **kwargs) -> None:
        top = data.get("max_sum_insured")
        if top is not None and top < data.get("min_sum_insured", Decimal("0")):
            raise marshmallow.ValidationError(
                _("at least the minimum sum insured"), "max_sum_insured"
            )


class InsuranceProductChange(_Stripped):
    """A product's fields, none required (a PATCH); :class:`InsuranceProductInput`
    requires what a new product needs."""

    carrier_id = fields.Integer(strict=True, validate=_ID)
    code = _code(30)
    name = fields.String(validate=validate.Length(min=1, max=120))
    line = fields.String(validate=validate.OneOf(LINES))
    currency = fields.String(validate=validate.OneOf(_CURRENCIES))
    pricing = fields.String(validate=validate.OneOf(PRICINGS))
    fixed_premium = Amount(allow_none=True, metadata={"description": "a year's premium (fixed)"})
    term_months = fields.Integer(strict=True, validate=validate.Range(1, 12))
    frequencies = fields.List(
        fields.String(validate=validate.OneOf(tuple(FREQUENCIES))),
        validate=validate.Length(min=1, max=len(FREQUENCIES)),
    )
    grace_days = _days()
    cooling_off_days = _days()
    cooling_off_fee = Amount()
    renewal_lead_days = _days()
    renewal_late_days = _days()
    reinstatement_days = _days()
    backdate_days = _days()
    clawback_months = fields.Integer(strict=True, validate=validate.Range(0, 120))
    clawback_percent = fields.Decimal(
        as_string=True,
        validate=decimal_between(
            Decimal("0"), Decimal("100"), 2, _l("give a percentage from 0 to 100, such as 12.5")
        ),
    )
    auto_renew = Flag()
    callback_required = Flag()
    recorded_sale_required = Flag()
    claim_documents = fields.List(
        fields.String(validate=validate.OneOf(CLAIM_DOCUMENT_KINDS)),
        validate=validate.Length(max=len(CLAIM_DOCUMENT_KINDS)),
    )
    norm_sum_insured = Amount(allow_none=True)
    outpatient_copay_percent = fields.Decimal(
        as_string=True,
        allow_none=True,
        validate=decimal_between(
            Decimal("0"), Decimal("100"), 2, _l("give a percentage from 0 to 100, such as 12.5")
        ),
        metadata={
            "description": "outpatient cover (health products): the patient's co-payment "
            "in percent; null: no outpatient cover"
        },
    )
    outpatient_deductible = Amount(
        metadata={"description": "outpatient: deductible a policy year, each insured person's"}
    )
    outpatient_limit = Amount(
        allow_none=True,
        positive=True,
        metadata={
            "description": "outpatient: the most the insurer pays a policy year, for each "
            "insured person; null: none"
        },
    )
    #: one deductible and limit for everyone the policy insures (family-shared cover)
    outpatient_shared = Flag()
    outpatient_categories = fields.List(
        fields.String(validate=validate.OneOf(CHARGE_CATEGORIES)),
        validate=validate.Length(max=len(CHARGE_CATEGORIES)),
        metadata={"description": "outpatient: the hospital charge categories covered"},
    )
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)
    active = Flag()
    covers = fields.List(
        fields.Nested(CoverInput),
        validate=validate.Length(max=MAX_COVERS),
        metadata={"description": "every cover of the product (replaces them all)"},
    )


class InsuranceProductInput(InsuranceProductChange):
    carrier_id = fields.Integer(strict=True, validate=_ID, required=True)
    code = _code(30, required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    line = fields.String(required=True, validate=validate.OneOf(LINES))
    currency = fields.String(validate=validate.OneOf(_CURRENCIES), load_default=instance_currency)
    pricing = fields.String(validate=validate.OneOf(PRICINGS), load_default="fixed")
    effective_from = fields.Date(load_default=lambda: utcnow().date())


# --- carriers ----------------------------------------------------------------


def carriers_query(q: str | None = None) -> Select:
    """Carriers not deleted, found by code or name."""
    query = select(Carrier).where(Carrier.deleted_at.is_(None))
    if q:
        like = f"%{q.strip()}%"
        query = query.where(Carrier.code.ilike(like) | Carrier.name.ilike(like))
    return query


def live_carrier(carrier_id: int) -> Carrier | None:
    carrier = db.session.get(Carrier, carrier_id)
    return None if carrier is None or carrier.is_deleted else carrier


def create_carrier(payload: dict, actor: User | None) -> Carrier:
    data = load(CarrierInput(), payload)
    _carrier_code_free(data["code"], None)
    return save(Carrier, None, data, actor)


def update_carrier(
    carrier: Carrier, payload: dict, actor: User | None, expected_version: int | None = None
) -> Carrier:
    data = load(CarrierChange(), payload)
    if "code" in data:
        _carrier_code_free(data["code"], carrier.id)
    check_version(carrier, expected_version)
    return save(Carrier, carrier, data, actor)


def delete_carrier(
    carrier: Carrier, actor: User | None, expected_version: int | None = None
) -> None:
    """Into the recycle bin: the carrier and its products leave the catalogue's
    lists; policies already written on them keep them."""
    check_version(carrier, expected_version)
    with transaction():
        before = snapshot(carrier)
        carrier.deleted_at, carrier.active = utcnow(), False
        audit(actor, carrier, "delete", before, snapshot(carrier))


def _carrier_code_free(code: str, own_id: int | None) -> None:
    # deleted carriers keep their codes: the unique index covers them too
    if db.session.scalar(
        select(Carrier.id).where(Carrier.code == code, Carrier.id != (own_id or 0))
    ):
        raise TakenError({"code": [_("another carrier has this code")]})


# --- products ----------------------------------------------------------------


def products_query(
    q: str | None = None, carrier_id: int | None = None, line: str | None = None
) -> Select:
    """Products of carriers not deleted, found by code or name."""
    query = (
        select(InsuranceProduct)
        .join(Carrier, Carrier.id == InsuranceProduct.carrier_id)
        .where(InsuranceProduct.deleted_at.is_(None), Carrier.deleted_at.is_(None))
    )
    if q:
        like = f"%{q.strip()}%"
        query = query.where(InsuranceProduct.code.ilike(like) | InsuranceProduct.name.ilike(like))
    if carrier_id:
        query = query.where(InsuranceProduct.carrier_id == carrier_id)
    if line:
        query = query.where(InsuranceProduct.line == line)
    return query


def live_product(product_id: int) -> InsuranceProduct | None:
    product = db.session.get(InsuranceProduct, product_id)
    if product is None or product.is_deleted or product.carrier.is_deleted:
        return None
    return product


def create_product(payload: dict, actor: User | None) -> InsuranceProduct:
    data = load(InsuranceProductInput(), payload)
    long_line = data["line"] in LONG_LINES
    data.setdefault("grace_days", 60 if long_line else 30)
    data.setdefault("reinstatement_days", 730 if long_line else 0)
    return _write_product(None, data, actor)


def update_product(
    product: InsuranceProduct,
    payload: dict,
    actor: User | None,
    expected_version: int | None = None,
) -> InsuranceProduct:
    data = load(InsuranceProductChange(), payload)
    return _write_product(product, data, actor, expected_version)


def _write_product(
    product: InsuranceProduct | None,
    data: dict,
    actor: User | None,
    expected_version: int | None = None,
) -> InsuranceProduct:
    covers = data.pop("covers", None)
    merged = {**(snapshot(product) if product else {}), **data}
    errors = _product_errors(merged, covers)
    missing: dict[str, list[str]] = {}
    carrier_id = merged["carrier_id"]
    if "carrier_id" in data and live_carrier(carrier_id) is None:
        missing["carrier_id"] = [_("no carrier with this id")]
    taken = {}
    if not missing and db.session.scalar(
        select(InsuranceProduct.id).where(
            InsuranceProduct.carrier_id == carrier_id,
            InsuranceProduct.code == merged["code"],
            InsuranceProduct.id != (product.id if product else 0),
        )
    ):
        taken["code"] = [_("another product of this carrier has this code")]
    refuse(errors, missing=missing, taken=taken)
    if product is not None:
        check_version(product, expected_version)
    with transaction():
        before = _product_snapshot(product) if product else None
        record = product if product is not None else InsuranceProduct()
        for name, value in data.items():
            setattr(record, name, value)
        if covers is not None:
            _replace_covers(record, covers)
        record.updated_at = utcnow()  # covers alone change the product too
        db.session.add(record)
        db.session.flush()
        audit(actor, record, "update" if before else "create", before, _product_snapshot(record))
    return record


def _product_errors(merged: dict, covers: list[dict] | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if merged.get("pricing") == "fixed" and merged.get("fixed_premium") is None:
        errors["fixed_premium"] = [_("a product priced fixed needs its premium")]
    start, end = merged.get("effective_from"), merged.get("effective_to")
    # ISO dates (a snapshot's are text) compare as text
    if end is not None and start is not None and str(end) < str(start):
        errors["effective_to"] = [_("on or after the date the product is sold from")]
    seen: dict[str, int] = {}
    for i, cover in enumerate(covers or []):
        if cover["code"] in seen:
            errors[f"covers.{i}.code"] = [_("another cover of this product has this code")]
        seen[cover["code"]] = i
    return errors


def _replace_covers(product: InsuranceProduct, covers: list[dict]) -> None:
    """The product's covers become ``covers``: kept by code (their ids stay),
    added, or removed."""
    by_code = {cover.code: cover for cover in product.covers}
    kept = []
    for values in covers:
        cover = by_code.pop(values["code"], None) or Cover()
        for name, value in values.items():
            setattr(cover, name, value)
        kept.append(cover)
    product.covers = kept


def _product_snapshot(product: InsuranceProduct) -> dict:
    return {
        **snapshot(product),
        "covers": [
            {
                "code": c.code,
                "name": c.name,
                "mandatory": c.mandatory,
                "min_sum_insured": str(c.min_sum_insured),
                "max_sum_insured": None if c.max_sum_insured is None else str(c.max_sum_insured),
                "default_deductible": str(c.default_deductible),
            }
            for c in product.covers
        ],
    }
