"""The list standard on the service lists (work orders, spare parts,
contracts): a column's sort link orders the rows both ways and keeps the
filters, an unknown sort is ignored, and an empty list says what to do."""

from __future__ import annotations

import html
import re
from datetime import date

from plugins.service_dispatch.services import entitlement, parts


def sort_link(page: str, label: str) -> str:
    """The href of the sortable column headed ``label``."""
    found = re.search(r'<a class="sort" href="([^"]+)">' + re.escape(label) + r"[ <]", page)
    assert found, f"no sort link {label!r}"
    return html.unescape(found.group(1))


def order(page: str, names: list[str]) -> list[str]:
    """``names`` in the order the page shows them."""
    return sorted(names, key=page.index)


def test_work_orders_sort_both_ways_keeping_the_filters_and_the_export(
    make_order, make_user, make_customer, dispatcher, login_as
):
    acme = make_customer(name="Acme Water", region="East")
    low = make_order(title="Drip", customer=acme, priority="low")
    urgent = make_order(title="Flood", customer=acme, priority="urgent")
    make_order(title="Elsewhere", priority="high")
    client = login_as(dispatcher)
    page = client.get("/service/work-orders?q=acme").text
    link = sort_link(page, "Priority")
    assert "q=acme" in link and "sort=priority" in link and "page=" not in link
    up = client.get(link).text
    assert order(up, ["Drip", "Flood"]) == ["Flood", "Drip"] and "Elsewhere" not in up
    down = client.get(sort_link(up, "Priority")).text
    assert order(down, ["Drip", "Flood"]) == ["Drip", "Flood"]
    assert 'aria-sort="descending"' in down
    admin = login_as(make_user(role="admin"))
    listed = admin.get("/service/work-orders?q=acme&sort=-number").text
    export = html.unescape(re.search(r'href="([^"]*export[^"]*)"', listed).group(1))
    assert "q=acme" in export and "sort=-number" in export
    rows = admin.get(export).text.splitlines()
    assert len(rows) == 3 and urgent.number in rows[1] and low.number in rows[2]


def test_work_orders_ignore_an_unknown_sort_and_say_what_to_do_when_empty(dispatcher, login_as):
    client = login_as(dispatcher)
    assert client.get("/service/work-orders?sort=-secret").status_code == 200
    empty = client.get("/service/work-orders").text
    assert "No work orders yet." in empty and "Open one from a customer&#39;s page" in empty
    none = client.get("/service/work-orders?q=nothing&sort=number").text
    assert "No work orders match." in none
    assert '<a href="/service/work-orders?sort=number">Clear the filters' in none


def test_spare_parts_sort_both_ways_and_say_what_to_do_when_empty(make_user, login_as):
    client = login_as(make_user(role="admin"))
    empty = client.get("/service/parts").text
    assert "No spare parts yet." in empty and 'href="#part-sku">Add the first spare part' in empty
    parts.create_part({"sku": "B-2", "name": "Filter", "price": "9.50"}, None)
    parts.create_part({"sku": "A-1", "name": "Valve", "price": "30.00"}, None)
    page = client.get("/service/parts").text
    assert order(page, ["Filter", "Valve"]) == ["Filter", "Valve"]  # by name
    up = client.get(sort_link(page, "SKU")).text
    assert order(up, ["Filter", "Valve"]) == ["Valve", "Filter"]
    down = client.get(sort_link(up, "SKU")).text
    assert order(down, ["Filter", "Valve"]) == ["Filter", "Valve"]
    assert client.get("/service/parts?sort=nope").status_code == 200


def test_contracts_sort_both_ways_keeping_the_filters(make_customer, dispatcher, login_as):
    customer = make_customer(name="Acme Water")
    for number, ends in (
        ("W-1", date(2031, 1, 1)),
        ("W-2", date(2030, 1, 1)),
        ("C-9", date(2029, 1, 1)),
    ):
        entitlement.create_contract(
            {
                "customer_id": customer.id,
                "number": number,
                "kind": "warranty",
                "starts_on": "2025-01-01",
                "ends_on": ends.isoformat(),
            },
            None,
        )
    client = login_as(dispatcher)
    page = client.get("/service/contracts?q=W-").text
    link = sort_link(page, "To")
    assert "q=W-" in link and "sort=ends_on" in link
    up = client.get(link).text
    assert order(up, ["W-1", "W-2"]) == ["W-2", "W-1"] and "C-9" not in up
    down = client.get(sort_link(up, "To")).text
    assert order(down, ["W-1", "W-2"]) == ["W-1", "W-2"]
    assert client.get("/service/contracts?sort=-nope").status_code == 200
    none = client.get("/service/contracts?q=nothing").text
    assert "No contracts match." in none and 'href="/service/contracts">Clear the filters' in none


def test_contracts_say_what_to_do_when_there_are_none(dispatcher, login_as):
    empty = login_as(dispatcher).get("/service/contracts").text
    assert "No contracts or warranties yet." in empty
    assert "Add one on a customer&#39;s Work orders tab" in empty
