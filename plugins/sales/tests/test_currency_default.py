"""What is written without a currency is in the instance's (``TRELLIS_CURRENCY``,
which follows the locale: USD for an English instance, CNY for a Chinese
one): a product, a deal, a target, a commission rule and the deal a lead is
converted into, through the API — and the forms offer that currency first."""

from __future__ import annotations

import re

import pytest

from core.api import db
from plugins.sales.models import Deal
from plugins.sales.services import pipelines

STAGES = [
    {"name": "Open", "probability": 20},
    {"name": "Won", "probability": 100, "outcome": "won"},
    {"name": "Lost", "probability": 0, "outcome": "lost"},
]
INSTANCES = {
    "en": ({}, "USD"),
    "zh_CN": ({"TRELLIS_LOCALE": "zh_CN"}, "CNY"),
    "EUR": ({"TRELLIS_CURRENCY": "EUR"}, "EUR"),
}


@pytest.fixture(params=INSTANCES.values(), ids=INSTANCES.keys())
def instance(request, make_app, make_user, make_customer):
    """An instance with those settings: its admin, a customer and a pipeline."""
    settings, currency = request.param
    make_app(**settings)
    admin = make_user(role="admin")
    return {
        "currency": currency,
        "admin": admin,
        "customer": make_customer(owner_id=admin.id),
        "pipeline": pipelines.create_pipeline({"name": "New business", "stages": STAGES}, None),
    }


def test_records_given_no_currency_are_in_the_instances(instance, as_user):
    api, currency = as_user(instance["admin"]), instance["currency"]
    product = api.post("/api/v1/sales/products", json={"name": "Filter", "unit_price": "39.90"})
    assert product.status_code == 201, product.json
    deal = api.post(
        "/api/v1/sales/deals",
        json={
            "title": "Purifiers",
            "customer_id": instance["customer"].id,
            "pipeline_id": instance["pipeline"].id,
        },
    )
    assert deal.status_code == 201, deal.json
    target = api.put(
        "/api/v1/sales/targets",
        json={"month": "2026-03", "user_id": instance["admin"].id, "amount": "50000"},
    )
    assert target.status_code == 200, target.json
    rule = api.post(
        "/api/v1/sales/commission-rules",
        json={"name": "Flat", "tiers": [{"from_amount": "0", "rate_percent": "3"}]},
    )
    assert rule.status_code == 201, rule.json
    lead = api.post("/api/v1/sales/leads", json={"name": "Chen", "company": "Chen Tea"})
    converted = api.post(
        f"/api/v1/sales/leads/{lead.json['id']}/convert",
        json={"pipeline_id": instance["pipeline"].id, "amount": "800"},
    )
    assert converted.status_code == 200, converted.json
    from_lead = db.session.get(Deal, converted.json["deal_id"])
    assert [
        product.json["currency"],
        deal.json["currency"],
        target.json["currency"],
        rule.json["currency"],
        from_lead.currency,
    ] == [currency] * 5


def offered_currency(page: str) -> str:
    """The value the page's currency field starts with."""
    return re.search(r'<input[^>]*name="currency"[^>]*value="([^"]*)"', page)[1]


def test_the_forms_offer_the_instances_currency(instance, login_as):
    web = login_as(instance["admin"])
    pages = [
        "/sales/products",
        f"/sales/deals/new?customer_id={instance['customer'].id}",
        "/sales/targets",
        "/sales/commission",
    ]
    assert [offered_currency(web.get(url).text) for url in pages] == [instance["currency"]] * 4
