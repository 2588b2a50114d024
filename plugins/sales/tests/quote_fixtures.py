"""Fixtures the quote tests share: people in a team, a price list, a deal
with lines, a quote maker and the discount approval flow. Imported by each
``test_quotes_*`` module (``from .quote_fixtures import *``)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from core.api import Team, db, save_approval_flow
from plugins.sales.models import BillingProfile
from plugins.sales.services import deals as deal_service
from plugins.sales.services import pipelines as pipeline_service
from plugins.sales.services import products as product_service
from plugins.sales.services.quotes import editing
from plugins.sales.services.quotes.approval import RECORD

__all__ = [
    "billing",
    "deal",
    "discount_flow",
    "make_quote",
    "people",
    "pipeline",
    "price_list",
    "token",
    "tomorrow",
]

STAGES = [
    {"name": "Proposal", "probability": 50},
    {"name": "Won", "probability": 100, "outcome": "won"},
    {"name": "Lost", "probability": 0, "outcome": "lost"},
]


def tomorrow() -> str:
    return (editing.today() + timedelta(days=1)).isoformat()


def token(client, path: str) -> str:
    """The CSRF token of the form on ``path``."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None, path
    return found.group(1)


@pytest.fixture
def people(app, make_user, make_customer):
    east = Team(name="East")
    db.session.add(east)
    db.session.commit()
    rep = make_user(role="sales", team=east, name="Rita Rep")
    return {
        "admin": make_user(role="admin", name="Ada Admin"),
        "manager": make_user(role="manager", team=east, name="Max Manager"),
        "rep": rep,
        "customer": make_customer(name="上海茶叶有限公司", owner_id=rep.id),
    }


@pytest.fixture
def pipeline(app):
    return pipeline_service.create_pipeline({"name": "New business", "stages": STAGES}, None)


@pytest.fixture
def price_list(app):
    """Two CNY products and one in USD."""
    return {
        "tea": product_service.create_product(
            {"code": "TEA", "name": "Oolong tea", "unit_price": "120.00", "currency": "CNY"}, None
        ),
        "cup": product_service.create_product(
            {"code": "CUP", "name": "Tea cup", "unit_price": "35.50", "currency": "CNY"}, None
        ),
        "dollar": product_service.create_product(
            {"code": "USD1", "name": "Import tea", "unit_price": "10.00", "currency": "USD"}, None
        ),
    }


@pytest.fixture
def deal(people, pipeline, price_list):
    """A CNY deal with two lines: 10 teas quoted at 110 (list 120), 4 cups at 5 % off."""
    made = deal_service.create_deal(
        {
            "title": "Tea for every office",
            "customer_id": people["customer"].id,
            "pipeline_id": pipeline.id,
            "currency": "CNY",
        },
        people["rep"],
    )
    product_service.set_lines(
        made,
        [
            {"product_id": price_list["tea"].id, "unit_price": "110.00", "quantity": "10"},
            {"product_id": price_list["cup"].id, "quantity": "4", "discount_percent": "5"},
        ],
        people["rep"],
    )
    return made


@pytest.fixture
def make_quote(people, deal):
    """``make_quote(**fields)``: a draft quote of the deal, by the rep."""

    def make(**fields):
        return editing.create_quote({"deal_id": deal.id, **fields}, people["rep"])

    return make


@pytest.fixture
def discount_flow(people):
    """A manager approves every quote more than 15 % below the list price."""
    return save_approval_flow(
        {
            "record_type": RECORD,
            "name": "Deep discounts",
            "condition": {"field": "effective_discount_percent", "op": "gt", "value": "15"},
            "steps": [{"approver_kind": "role", "role": "manager"}],
        },
        None,
        people["admin"],
    )


@pytest.fixture
def billing(people):
    """The customer's billing name (发票抬头)."""
    profile = BillingProfile(customer_id=people["customer"].id, title="上海茶叶有限公司（总部）")
    db.session.add(profile)
    db.session.commit()
    return profile


def today() -> date:
    return editing.today()
