"""Products and a deal's lines: totals by hand, bad lines named, nothing half-saved."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from core.api import ValidationError, db
from plugins.sales.models import Deal, DealLine
from plugins.sales.services import deals as deal_service
from plugins.sales.services import pipelines as pipeline_service
from plugins.sales.services import products

STAGES = [
    {"name": "Open", "probability": 20},
    {"name": "Won", "probability": 100, "outcome": "won"},
    {"name": "Lost", "probability": 0, "outcome": "lost"},
]


@pytest.fixture
def deal(app, make_user, make_customer):
    rep = make_user()
    pipeline = pipeline_service.create_pipeline({"name": "New business", "stages": STAGES}, None)
    customer = make_customer(owner_id=rep.id)
    return deal_service.create_deal(
        {
            "title": "Water purifiers",
            "customer_id": customer.id,
            "pipeline_id": pipeline.id,
            "amount": "1.00",
        },
        rep,
    )


def fresh_deal(deal_id):
    db.session.expire_all()
    return db.session.get(Deal, deal_id)


def test_line_totals_and_the_deal_amount_match_the_hand_sums(deal):
    """Purifier 2,999.00 × 3 at 10 % off = 8,097.30; filters 129.90 × 7 = 909.30;
    installation 0.335 h × 100.00 at 0 % = 33.50 (33.5 exactly); total 9,040.10."""
    purifier = products.create_product(
        {"code": "P-1", "name": "Purifier", "unit_price": "2999.00"}, None
    )
    products.set_lines(
        deal,
        [
            {"product_id": purifier.id, "quantity": "3", "discount_percent": "10"},
            {"description": "Filter", "unit_price": "129.90", "quantity": "7"},
            {"description": "Installation (hours)", "unit_price": "100.00", "quantity": "0.335"},
        ],
        None,
    )
    row = fresh_deal(deal.id)
    assert [line.total for line in row.lines] == [
        Decimal("8097.30"),
        Decimal("909.30"),
        Decimal("33.50"),
    ]
    assert row.lines[0].description == "Purifier" and row.lines[0].unit_price == Decimal("2999")
    assert row.amount == Decimal("9040.10")


@pytest.mark.parametrize(
    "line,field",
    [
        ({"description": "X", "unit_price": "10", "quantity": "-1"}, "quantity"),
        ({"description": "X", "unit_price": "10", "quantity": "0"}, "quantity"),
        ({"description": "X", "unit_price": "-5", "quantity": "1"}, "unit_price"),
        (
            {"description": "X", "unit_price": "10", "quantity": "1", "discount_percent": "100.01"},
            "discount_percent",
        ),
        ({"unit_price": "10", "quantity": "1"}, "description"),
        ({"product_id": 999, "quantity": "1"}, "product_id"),
    ],
)
def test_a_bad_line_is_named_and_nothing_changes(deal, line, field):
    products.set_lines(deal, [{"description": "Kept", "unit_price": "5", "quantity": "2"}], None)
    good = {"description": "Fine", "unit_price": "1", "quantity": "1"}
    with pytest.raises(ValidationError) as refused:
        products.set_lines(fresh_deal(deal.id), [good, line], None)
    assert list(refused.value.errors) == [f"lines.1.{field}"]
    row = fresh_deal(deal.id)
    assert [line.description for line in row.lines] == ["Kept"] and row.amount == Decimal("10.00")


def test_a_product_in_another_currency_is_refused(deal):
    euro = products.create_product(
        {"name": "Import unit", "unit_price": "10", "currency": "EUR"}, None
    )
    with pytest.raises(ValidationError) as refused:  # the deal is in the instance's USD
        products.set_lines(deal, [{"product_id": euro.id, "quantity": "1"}], None)
    assert "EUR" in refused.value.errors["lines.0.product_id"][0]


def test_the_amount_of_a_deal_with_lines_follows_the_lines(deal):
    products.set_lines(deal, [{"description": "A", "unit_price": "10", "quantity": "1"}], None)
    with pytest.raises(ValidationError) as refused:
        deal_service.update_deal(fresh_deal(deal.id), {"amount": "99.00"}, None)
    assert "amount" in refused.value.errors


def test_lines_through_the_api_with_the_version(deal, as_user, make_user):
    api = as_user(db.session.get(type(deal.owner), deal.owner_id))
    read = api.get(f"/api/v1/sales/deals/{deal.id}/lines").json
    saved = api.put(
        f"/api/v1/sales/deals/{deal.id}/lines",
        json={
            "version": read["version"],
            "lines": [
                {
                    "description": "Survey",
                    "unit_price": "250.00",
                    "quantity": "2",
                    "discount_percent": "50",
                }
            ],
        },
    )
    assert saved.status_code == 200 and saved.json["amount"] == "250.00"
    stale = api.put(
        f"/api/v1/sales/deals/{deal.id}/lines", json={"version": read["version"], "lines": []}
    )
    assert stale.status_code == 409
    other = as_user(make_user())
    assert other.get(f"/api/v1/sales/deals/{deal.id}/lines").status_code == 404
    assert db.session.query(DealLine).count() == 1


def test_lines_in_the_browser_keep_the_input_on_error(deal, login_as):
    client = login_as(db.session.get(type(deal.owner), deal.owner_id))
    page = f"/sales/deals/{deal.id}/lines"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text).group(1)
    form = {
        "csrf_token": csrf,
        "version": str(deal.version),
        "line-0-description": "Survey",
        "line-0-unit_price": "250",
        "line-0-quantity": "x",
        "line-0-discount_percent": "",
        "line-0-product_id": "",
    }
    bad = client.post(page, data=form)
    assert (
        bad.status_code == 422
        and 'value="Survey"' in bad.text
        and 'id="e-lines.0.quantity"' in bad.text
    )
    ok = client.post(page, data={**form, "line-0-quantity": "2"})
    assert ok.status_code == 302
    assert "Survey" in client.get(f"/sales/deals/{deal.id}").text
    assert fresh_deal(deal.id).amount == Decimal("500.00")


def test_products_without_a_code_do_not_clash(app, as_user, make_user):
    api = as_user(make_user(role="admin"))
    for name in ("Survey", "Install"):
        payload = {"name": name, "unit_price": "1", "code": ""}
        made = api.post("/api/v1/sales/products", json=payload)
        assert made.status_code == 201 and made.json["code"] is None
