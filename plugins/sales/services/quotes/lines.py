"""A quote's lines from the input: each names a product of the price list
(its list price is the product's price; the price quoted may differ) or
describes itself (a free line: its list price is the price quoted). The
deal lines' input (``products.LineInput``) is the quote lines' input too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from core.api import ValidationError, db, load, refuse, translator

from ...models import Deal, Product, QuoteLine
from ..products import MAX_AMOUNT, MAX_LINES, LineInput
from .pricing import line_total, list_value

_, _l = translator("sales")


@dataclass
class Problems:
    """What is wrong with a quote's input, by kind, so that the answer says
    the right thing: the input's own shape (``invalid``), ids that name
    nothing the user may use (``missing``, a 404 alone), and the rules
    across fields or against stored records (``rules``, a 422 naming only
    their fields, as the API document's ``x-field-rules`` promise)."""

    invalid: dict[str, list[str]] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)
    rules: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self) -> None:
        """Raise the one error that says it all (a malformed input: every
        message at once), or return when nothing is wrong."""
        if self.invalid:
            refuse({**self.rules, **self.invalid}, missing=self.missing)
        refuse(missing=self.missing)
        refuse(self.rules)


def read_lines(payload, currency: str, problems: Problems) -> list[QuoteLine]:
    """The quote lines ``payload`` describes, priced in ``currency``; each bad
    line is named in ``problems`` (``lines.2.quantity``), and no line at all is
    a problem of ``lines``."""
    if payload is not None and not isinstance(payload, list):
        problems.invalid["lines"] = [_("give 1 to %(num)d lines", num=MAX_LINES)]
        return []
    if payload is None or not 1 <= len(payload) <= MAX_LINES:
        problems.rules["lines"] = [_("give 1 to %(num)d lines", num=MAX_LINES)]
        return []
    rows = []
    for i, raw in enumerate(payload):
        try:
            line = load(LineInput(), raw)
        except ValidationError as exc:
            problems.invalid.update({f"lines.{i}.{k}": msgs for k, msgs in exc.errors.items()})
            continue
        row = _line(i, line, currency, problems)
        if row is not None:
            rows.append(row)
    listed = sum((list_value(row.list_price, row.quantity) for row in rows), start=Decimal("0"))
    if max(listed, sum((row.total for row in rows), start=Decimal("0"))) >= MAX_AMOUNT:
        # the totals are Numeric(14, 2) columns
        problems.rules["lines"] = [_("the lines add up to more than 999999999999.99")]
    return rows


def _line(i: int, line: dict, currency: str, problems: Problems) -> QuoteLine | None:
    product = db.session.get(Product, line["product_id"]) if line["product_id"] else None
    if line["product_id"] and (product is None or not product.active):
        problems.missing[f"lines.{i}.product_id"] = [_("no active product with this id")]
        return None
    if product is not None and product.currency != currency:
        problems.rules[f"lines.{i}.product_id"] = [
            _(
                "the product is priced in %(product)s, the quote in %(quote)s",
                product=product.currency,
                quote=currency,
            )
        ]
        return None
    description = line["description"] or (product.name if product else None)
    price = line["unit_price"]
    if price is None and product is not None:
        price = product.unit_price
    if not description:
        problems.rules[f"lines.{i}.description"] = [_("describe the line or pick a product")]
    if price is None:
        problems.rules[f"lines.{i}.unit_price"] = [_("give a price or pick a product")]
    if not description or price is None:
        return None
    return QuoteLine(
        position=i,
        product_id=product.id if product else None,
        description=description,
        list_price=product.unit_price if product is not None else price,
        unit_price=price,
        quantity=line["quantity"],
        discount_percent=line["discount_percent"],
        total=line_total(price, line["quantity"], line["discount_percent"]),
    )


def deal_lines(deal: Deal) -> list[dict]:
    """A deal's lines as a quote's input: the same products, quantities,
    prices and discounts (the list prices are the price list's, read when
    the quote is made)."""
    return [
        {
            "product_id": line.product_id,
            "description": line.description,
            "unit_price": str(line.unit_price),
            "quantity": str(line.quantity),
            "discount_percent": str(line.discount_percent),
        }
        for line in deal.lines
    ]


def line_dict(line: QuoteLine) -> dict:
    """A line as the audit log keeps it."""
    return {
        "product_id": line.product_id,
        "description": line.description,
        "list_price": str(line.list_price),
        "unit_price": str(line.unit_price),
        "quantity": str(line.quantity),
        "discount_percent": str(line.discount_percent),
        "total": str(line.total),
    }


def active_products(currency: str) -> list[Product]:
    """The price list a quote in ``currency`` picks from."""
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.active.is_(True), Product.currency == currency)
            .order_by(Product.name, Product.id)
        )
    )
