"""A quote's money, worked out by hand: line discounts, prices below the
list, the overall discount and the tax, each rounded half up to the cent."""

from __future__ import annotations

from decimal import Decimal

from plugins.sales.services.quotes import editing
from plugins.sales.services.quotes.pricing import totals

from .quote_fixtures import *  # noqa: F403


def test_a_deals_quote_adds_up_as_worked_out_by_hand(make_quote, price_list):
    quote = make_quote(discount_percent="10", tax_percent="13")
    tea, cup = quote.lines
    # the list price is the price list's, the quoted price the deal's
    assert (tea.product_id, tea.list_price, tea.unit_price) == (
        price_list["tea"].id,
        Decimal("120.00"),
        Decimal("110.00"),
    )
    assert tea.total == Decimal("1100.00")  # 110 × 10
    assert cup.total == Decimal("134.90")  # 35.50 × 4 × 0.95
    assert quote.list_total == Decimal("1342.00")  # 120 × 10 + 35.50 × 4
    assert quote.subtotal == Decimal("1234.90")
    # 10 % off 1234.90 is 123.49 → 1111.41; 13 % tax on it is 144.4833 → 144.48
    assert quote.tax_amount == Decimal("144.48")
    assert quote.total == Decimal("1255.89")
    # (1342.00 − 1111.41) / 1342.00 = 17.1825… %
    assert quote.effective_discount_percent == Decimal("17.18")
    assert quote.currency == "CNY" and quote.title == "Tea for every office"


def test_a_line_rounds_half_up_to_the_cent(people):
    quote = editing.create_quote(
        {
            "customer_id": people["customer"].id,
            "currency": "CNY",
            "tax_percent": "50",
            "lines": [
                {
                    "description": "Sample",
                    "unit_price": "0.25",
                    "quantity": "1",
                    "discount_percent": "10",
                }
            ],
        },
        people["rep"],
    )
    line = quote.lines[0]
    assert line.total == Decimal("0.23")  # 0.225 half up (half even would give 0.22)
    assert line.list_price == Decimal("0.25")  # a free line's list price is its price
    assert quote.tax_amount == Decimal("0.12")  # 0.115 half up
    assert quote.total == Decimal("0.35")
    assert quote.effective_discount_percent == Decimal("8.00")  # (0.25 − 0.23) / 0.25


def test_a_price_above_the_list_is_no_discount(make_quote, price_list):
    quote = make_quote(
        lines=[{"product_id": price_list["tea"].id, "unit_price": "130.00", "quantity": "2"}]
    )
    assert quote.list_total == Decimal("240.00") and quote.total == Decimal("260.00")
    assert quote.effective_discount_percent == Decimal("0")


def test_totals_of_no_lines_are_zero():
    worked = totals([], Decimal("10"), Decimal("13"))
    assert worked.total == Decimal("0") and worked.effective_discount_percent == Decimal("0")
