"""A quote's money, exact: ``Decimal`` throughout, each amount rounded half
up to the cent where it is shown, so the printed quote adds up.

- a line's list value is ``list_price × quantity``; its total is
  ``unit_price × quantity × (1 − discount / 100)`` (the deal lines' rule);
- ``list_total`` is the lines' list values, ``subtotal`` their totals;
- the overall discount comes off the subtotal, the tax is on what remains,
  and ``total`` is what remains plus the tax;
- ``effective_discount_percent`` is how far below the list value the
  quote is before tax — line discounts, prices below the list and the
  overall discount together — which is what an approval flow tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..products import line_total

__all__ = ["Totals", "cents", "line_total", "list_value", "totals"]

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def list_value(list_price: Decimal, quantity: Decimal) -> Decimal:
    return cents(list_price * quantity)


@dataclass(frozen=True)
class Totals:
    list_total: Decimal
    subtotal: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    total: Decimal
    effective_discount_percent: Decimal


def totals(
    lines: Iterable, discount_percent: Decimal = ZERO, tax_percent: Decimal = ZERO
) -> Totals:
    """The quote's totals from its ``lines`` (anything with ``list_price``,
    ``quantity`` and ``total``), its overall discount and its tax rate."""
    lines = list(lines)
    listed = sum((list_value(line.list_price, line.quantity) for line in lines), start=ZERO)
    subtotal = sum((line.total for line in lines), start=ZERO)
    discount_amount = cents(subtotal * discount_percent / HUNDRED)
    taxable = subtotal - discount_amount
    tax_amount = cents(taxable * tax_percent / HUNDRED)
    effective = ZERO
    if listed > 0 and taxable < listed:  # priced above the list is no discount
        effective = cents((listed - taxable) * HUNDRED / listed)
    return Totals(
        list_total=listed,
        subtotal=subtotal,
        discount_amount=discount_amount,
        tax_amount=tax_amount,
        total=taxable + tax_amount,
        effective_discount_percent=effective,
    )
