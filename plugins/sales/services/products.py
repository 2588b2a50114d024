"""Products (产品) and a deal's lines: price, quantity and discount.

A line's total is ``price × quantity × (1 − discount / 100)``, rounded half
up to the cent; a deal with lines is worth the sum of its lines (its amount
follows them). Lines are replaced as a whole, in one transaction, on the
deal's version like any other edit of the deal.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, fields, post_load, validate
from sqlalchemy import select

from core.api import (
    Flag,
    TakenError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    ensure_unlocked,
    load,
    refuse,
    save,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ..models import Deal, DealLine, Product
from .validation import Currency, DefaultCurrency, Id, Money, Percent, Quantity

_, _l = translator("sales")
CENT = Decimal("0.01")
MAX_LINES = 100
MAX_AMOUNT = Decimal(10**12)


class ProductInput(Schema):
    code = fields.String(allow_none=True, validate=validate.Length(max=40))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit_price = Money(required=True)
    currency = DefaultCurrency()
    active = Flag(load_default=True)

    @post_load
    def blank_code_is_none(self, data: dict, **kwargs) -> dict:
        """No code is ``None``, never ``""``: codes are unique, absences not."""
        if "code" in data and not (data["code"] or "").strip():
            data["code"] = None
        return data


class ProductChange(ProductInput):
    """What a PATCH may change: any of the product's fields, none required."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    unit_price = Money()
    currency = Currency()
    active = Flag()


class LineInput(Schema):
    product_id = Id(allow_none=True, load_default=None)
    description = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "the product's name when left out"},
    )
    unit_price = Money(
        allow_none=True,
        load_default=None,
        metadata={"description": "the product's price when left out"},
    )
    quantity = Quantity(required=True)
    discount_percent = Percent(load_default=Decimal("0"))


def line_total(unit_price: Decimal, quantity: Decimal, discount_percent: Decimal) -> Decimal:
    gross = unit_price * quantity * (100 - discount_percent) / 100
    return gross.quantize(CENT, rounding=ROUND_HALF_UP)


def products(active_only: bool = False) -> list[Product]:
    query = select(Product).order_by(Product.name, Product.id)
    if active_only:
        query = query.where(Product.active.is_(True))
    return list(db.session.scalars(query))


def create_product(payload: dict, actor: User | None) -> Product:
    data = load(ProductInput(), payload)
    _unique_code(data.get("code"), None)
    return save(Product, None, data, actor)


def update_product(
    product: Product, payload: dict, actor: User | None, expected_version: int | None = None
) -> Product:
    data = load(ProductChange(), payload)
    _unique_code(data.get("code"), product.id)
    check_version(product, expected_version)
    return save(Product, product, data, actor)


def _unique_code(code: str | None, own_id: int | None) -> None:
    if code and db.session.scalar(
        select(Product.id).where(Product.code == code, Product.id != (own_id or 0))
    ):
        raise TakenError({"code": [_("another product has this code")]})


def set_lines(deal: Deal, payload, actor: User | None, expected_version: int | None = None) -> Deal:
    """Replace the deal's lines; each bad line is named (``lines.2.quantity``).
    A deal waiting for approval keeps its lines (409)."""
    ensure_unlocked(deal)
    if not isinstance(payload, list) or len(payload) > MAX_LINES:
        raise ValidationError({"lines": [_("a list of at most %(num)d lines", num=MAX_LINES)]})
    errors: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    rows = []
    for i, raw in enumerate(payload):
        try:
            line = load(LineInput(), raw)
        except ValidationError as exc:
            errors.update({f"lines.{i}.{field}": msgs for field, msgs in exc.errors.items()})
            continue
        product = db.session.get(Product, line["product_id"]) if line["product_id"] else None
        if line["product_id"] and (product is None or not product.active):
            missing[f"lines.{i}.product_id"] = [_("no active product with this id")]
            continue
        if product is not None and product.currency != deal.currency:
            # a product this deal cannot use, as one of another customer's contacts
            missing[f"lines.{i}.product_id"] = [
                _(
                    "the product is priced in %(product)s, the deal in %(deal)s",
                    product=product.currency,
                    deal=deal.currency,
                )
            ]
            continue
        description = line["description"] or (product.name if product else None)
        price = (
            line["unit_price"]
            if line["unit_price"] is not None
            else (product.unit_price if product else None)
        )
        if not description:
            errors[f"lines.{i}.description"] = [_("describe the line or pick a product")]
        if price is None:
            errors[f"lines.{i}.unit_price"] = [_("give a price or pick a product")]
        if description and price is not None:
            rows.append(
                DealLine(
                    position=i,
                    product_id=product.id if product else None,
                    description=description,
                    unit_price=price,
                    quantity=line["quantity"],
                    discount_percent=line["discount_percent"],
                    total=line_total(price, line["quantity"], line["discount_percent"]),
                )
            )
    if sum((row.total for row in rows), start=Decimal("0")) >= MAX_AMOUNT:
        # the deal's amount is their sum (a Numeric(14, 2) column)
        errors["lines"] = [_("the lines add up to more than 999999999999.99")]
    refuse(errors, missing=missing)
    check_version(deal, expected_version)
    with transaction():
        before = {**snapshot(deal), "lines": [_line_dict(line) for line in deal.lines]}
        deal.lines = rows
        if rows:
            deal.amount = sum((row.total for row in rows), start=Decimal("0"))
        deal.updated_at = utcnow()  # the deal row changes, so its version moves on
        db.session.flush()
        audit(
            actor,
            deal,
            "update",
            before,
            {**snapshot(deal), "lines": [_line_dict(line) for line in rows]},
        )
    return deal


def _line_dict(line: DealLine) -> dict:
    return {
        "description": line.description,
        "unit_price": str(line.unit_price),
        "quantity": str(line.quantity),
        "discount_percent": str(line.discount_percent),
        "total": str(line.total),
        "product_id": line.product_id,
    }
