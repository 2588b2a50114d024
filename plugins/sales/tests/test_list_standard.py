"""The list standard on the sales lists (deals, leads, products): a column's
sort link orders the rows both ways and keeps the filters, an unknown sort is
ignored, and an empty list says what to do."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest

from core.api import db
from plugins.sales.models import Lead, Product
from plugins.sales.services import deals as deal_service
from plugins.sales.services import pipelines as pipeline_service


def sort_link(page: str, label: str) -> str:
    """The href of the sortable column headed ``label``."""
    found = re.search(r'<a class="sort" href="([^"]+)">' + re.escape(label) + r"[ <]", page)
    assert found, f"no sort link {label!r}"
    return html.unescape(found.group(1))


def order(page: str, names: list[str]) -> list[str]:
    """``names`` in the order the page shows them."""
    return sorted(names, key=page.index)


@pytest.fixture
def pipeline(app):
    stages = [
        {"name": "Lead in", "probability": 10},
        {"name": "Won", "probability": 100, "outcome": "won"},
        {"name": "Lost", "probability": 0, "outcome": "lost"},
    ]
    return pipeline_service.create_pipeline({"name": "New business", "stages": stages}, None)


def test_deals_sort_both_ways_keeping_the_filters(
    app, pipeline, make_user, make_customer, login_as
):
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    for title, amount in (("Tea alpha", "300"), ("Tea beta", "100"), ("Coffee", "200")):
        deal_service.create_deal(
            {
                "title": title,
                "customer_id": customer.id,
                "pipeline_id": pipeline.id,
                "amount": amount,
            },
            rep,
        )
    web = login_as(rep)
    page = web.get("/sales/deals?q=Tea").text
    link = sort_link(page, "Amount")
    assert "q=Tea" in link and "sort=amount" in link and "page=" not in link
    up = web.get(link).text
    assert order(up, ["Tea alpha", "Tea beta"]) == ["Tea beta", "Tea alpha"]
    assert "Coffee" not in up and 'aria-sort="ascending"' in up
    down_link = sort_link(up, "Amount")
    assert "sort=-amount" in down_link and "q=Tea" in down_link
    down = web.get(down_link).text
    assert order(down, ["Tea alpha", "Tea beta"]) == ["Tea alpha", "Tea beta"]
    assert 'aria-sort="descending"' in down
    admin = login_as(make_user(role="admin"))
    listed = admin.get("/sales/deals?q=Tea&sort=-amount").text
    export = html.unescape(re.search(r'href="([^"]*export[^"]*)"', listed).group(1))
    assert "sort=-amount" in export and "q=Tea" in export
    rows = admin.get(export).text.splitlines()
    assert "Tea alpha" in rows[1] and "Tea beta" in rows[2] and len(rows) == 3


def test_deals_ignore_an_unknown_sort_and_say_what_to_do_when_empty(
    app, pipeline, make_user, login_as
):
    web = login_as(make_user())
    assert web.get("/sales/deals?sort=-password").status_code == 200
    empty = web.get("/sales/deals").text
    assert "No deals yet." in empty and 'href="/sales/deals/new">Add a deal' in empty
    none_match = web.get("/sales/deals?q=nothing&sort=title").text
    assert "No deals match." in none_match
    assert '<a href="/sales/deals?outcome=open&amp;sort=title">Clear the filters' in none_match


def lead(name: str, company: str, owner, status: str = "new") -> Lead:
    row = Lead(name=name, company=company, owner_id=owner.id, source="web", status=status)
    db.session.add(row)
    db.session.commit()
    return row


def test_leads_sort_both_ways_keeping_the_tab(app, make_user, login_as):
    rep = make_user()
    lead("Ann", "Zeta Ltd", rep)
    lead("Bob", "Alpha Ltd", rep)
    lead("Cy", "Mid Ltd", rep, status="converted")
    web = login_as(rep)
    page = web.get("/sales/leads/?status=open").text
    link = sort_link(page, "Company")
    assert "status=open" in link and "sort=company" in link
    up = web.get(link).text
    assert order(up, ["Ann", "Bob"]) == ["Bob", "Ann"] and "Cy" not in up
    down = web.get(sort_link(up, "Company")).text
    assert order(down, ["Ann", "Bob"]) == ["Ann", "Bob"]
    assert web.get("/sales/leads/?sort=nope").status_code == 200


def test_leads_page_and_say_what_to_do_when_empty(app, make_user, login_as):
    rep = make_user()
    web = login_as(rep)
    empty = web.get("/sales/leads/").text
    assert "No leads here." in empty and 'href="/sales/leads/new">Add a lead' in empty
    lead("Ann", "Zeta Ltd", rep, status="disqualified")
    other_tab = web.get("/sales/leads/?status=open").text
    assert "No leads match." in other_tab and "Clear the filters" in other_tab
    for n in range(51):
        lead(f"Lead {n:02d}", "Co", rep)
    first = web.get("/sales/leads/?sort=name").text
    assert "Lead 00" in first and "Lead 50" not in first
    next_link = html.unescape(re.search(r'rel="next" href="([^"]+)"', first).group(1))
    assert "sort=name" in next_link
    assert "Lead 50" in web.get(next_link).text


def test_products_sort_both_ways_and_say_what_to_do_when_empty(app, make_user, login_as):
    web = login_as(make_user(role="admin"))
    empty = web.get("/sales/products").text
    assert "No products yet." in empty and "Add the first product" in empty
    for code, name, price in (("B-1", "Green tea", "30"), ("A-1", "Black tea", "50")):
        db.session.add(Product(code=code, name=name, unit_price=Decimal(price), currency="CNY"))
    db.session.commit()
    page = web.get("/sales/products").text
    assert order(page, ["Green tea", "Black tea"]) == ["Black tea", "Green tea"]
    up = web.get(sort_link(page, "Unit price")).text
    assert order(up, ["Green tea", "Black tea"]) == ["Green tea", "Black tea"]
    down = web.get(sort_link(up, "Unit price")).text
    assert order(down, ["Green tea", "Black tea"]) == ["Black tea", "Green tea"]
    assert web.get("/sales/products?sort=-nope").status_code == 200
