"""Bad input to a quote is refused with the field named and nothing
written: discounts outside 0–100 (line or overall), negative prices and
quantities, a tax outside 0–100, a validity already past, a product in
another currency, a change to a quote that is not a draft, and a PDF for a
customer without a billing name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.api import StateError, ValidationError, db
from plugins.sales.models import Quote, QuoteLine
from plugins.sales.services.quotes import editing, lifecycle

from .quote_fixtures import *  # noqa: F403


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Quote)),
        db.session.scalar(select(func.count()).select_from(QuoteLine)),
    )


def free_line(**fields) -> dict:
    return {"description": "Tea", "unit_price": "10.00", "quantity": "1", **fields}


YESTERDAY = object()  # stands for the day before today, worked out in the test
BAD_INPUTS = [
    ({"discount_percent": "100.01"}, "discount_percent"),
    ({"discount_percent": "-1"}, "discount_percent"),
    ({"lines": [free_line(discount_percent="101")]}, "lines.0.discount_percent"),
    ({"lines": [free_line(discount_percent="-5")]}, "lines.0.discount_percent"),
    ({"lines": [free_line(unit_price="-10.00")]}, "lines.0.unit_price"),
    ({"lines": [free_line(quantity="-1")]}, "lines.0.quantity"),
    ({"lines": [free_line(quantity="0")]}, "lines.0.quantity"),
    ({"tax_percent": "120"}, "tax_percent"),
    ({"tax_percent": "-3"}, "tax_percent"),
    ({"valid_until": YESTERDAY}, "valid_until"),
    ({"lines": []}, "lines"),
    ({"lines": [free_line(), {"quantity": "1"}]}, "lines.1.description"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_INPUTS)
def test_bad_input_on_create_names_the_field_and_writes_nothing(people, as_user, fields, field):
    if fields.get("valid_until") is YESTERDAY:
        fields = {"valid_until": (editing.today() - timedelta(days=1)).isoformat()}
    payload = {"customer_id": people["customer"].id, "lines": [free_line()], **fields}
    with pytest.raises(ValidationError) as caught:
        editing.create_quote(payload, people["rep"])
    assert field in caught.value.errors
    answer = as_user(people["rep"]).post("/api/v1/sales/quotes", json=payload)
    assert answer.status_code == 422 and field in answer.json["errors"], answer.json
    assert counts() == (0, 0)


@pytest.mark.parametrize(("fields", "field"), BAD_INPUTS[:9])
def test_bad_input_on_edit_names_the_field_and_changes_nothing(
    make_quote, people, as_user, fields, field
):
    quote = make_quote()
    answer = as_user(people["rep"]).patch(f"/api/v1/sales/quotes/{quote.id}", json=fields)
    assert answer.status_code == 422 and field in answer.json["errors"], answer.json
    db.session.expire_all()
    kept = db.session.get(Quote, quote.id)
    assert kept.version == quote.version and len(kept.lines) == 2


def test_a_product_in_another_currency_is_refused(make_quote, people, price_list, deal):
    line = {"product_id": price_list["dollar"].id, "quantity": "1"}
    with pytest.raises(ValidationError) as caught:
        editing.create_quote({"deal_id": deal.id, "lines": [line]}, people["rep"])
    assert "USD" in caught.value.errors["lines.0.product_id"][0]
    assert counts() == (0, 0)
    quote = make_quote()
    with pytest.raises(ValidationError) as caught:
        editing.update_quote(quote, {"lines": [line]}, people["rep"])
    assert "lines.0.product_id" in caught.value.errors


def test_a_deals_quote_keeps_the_deals_currency(people, deal):
    with pytest.raises(ValidationError) as caught:
        editing.create_quote({"deal_id": deal.id, "currency": "USD"}, people["rep"])
    assert "currency" in caught.value.errors and counts() == (0, 0)


def test_only_a_draft_is_edited(make_quote, people, as_user):
    quote = make_quote()
    lifecycle.send_quote(quote, people["rep"])
    answer = as_user(people["rep"]).patch(
        f"/api/v1/sales/quotes/{quote.id}", json={"title": "Changed"}
    )
    assert answer.status_code == 409 and "status" in answer.json["errors"]
    with pytest.raises(StateError):
        editing.update_quote(quote, {"discount_percent": "50"}, people["rep"])
    db.session.expire_all()
    kept = db.session.get(Quote, quote.id)
    assert kept.title == "Tea for every office" and kept.discount_percent == 0


def test_a_quote_for_a_deal_or_customer_out_of_sight_is_refused(people, deal, make_user):
    stranger = make_user(role="sales", name="Sam Stranger")
    with pytest.raises(ValidationError) as caught:
        editing.create_quote({"deal_id": deal.id}, stranger)
    assert "deal_id" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        editing.create_quote(
            {"customer_id": people["customer"].id, "lines": [free_line()]}, stranger
        )
    assert "customer_id" in caught.value.errors and counts() == (0, 0)


def test_a_pdf_for_a_customer_without_a_billing_name_is_a_clear_error(
    make_quote, people, as_user, login_as
):
    quote = make_quote()
    answer = as_user(people["rep"]).get(f"/api/v1/sales/quotes/{quote.id}/pdf")
    assert answer.status_code == 409
    assert "billing" in answer.json["errors"]["customer_id"][0]
    page = login_as(people["rep"]).get(f"/sales/quotes/{quote.id}/pdf", follow_redirects=True)
    assert page.status_code == 200 and "has no billing name yet" in page.text
