"""Spare parts over the API and on the pages: who may do what, what an
engineer sees (their own van), completion with parts from the phone view,
and refusals that change nothing."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import db
from plugins.service_dispatch.models import Stock, StockMove
from plugins.service_dispatch.services import parts, stock

from .conftest import reload

REPORT = {
    "diagnosis": "Filter clogged",
    "work_done": "Changed the filter cartridge",
    "confirmed_by": "Mr Chen",
}
API = "/api/v1/service"


@pytest.fixture
def store(make_engineer, make_user, dispatcher):
    """Central warehouse with 10 filters and 20 m of pipe; Li's van with 3
    filters; Zhao's van with 4 filters."""
    admin = make_user(role="admin")
    li, zhao = make_engineer(name="Li"), make_engineer(name="Zhao")
    central = parts.create_location({"name": "Central", "kind": "warehouse"}, admin)
    van_li = parts.create_location({"name": "Van Li", "kind": "van", "engineer_id": li.id}, admin)
    van_zhao = parts.create_location(
        {"name": "Van Zhao", "kind": "van", "engineer_id": zhao.id}, admin
    )
    cart = parts.create_part({"sku": "FLT-01", "name": "Filter cartridge", "price": "35.00"}, admin)
    pipe = parts.create_part({"sku": "CU-PIPE", "name": "Copper pipe", "unit": "m"}, admin)
    for part, location, quantity in (
        (cart, central, "10"),
        (pipe, central, "20"),
        (cart, van_li, "3"),
        (cart, van_zhao, "4"),
    ):
        stock.receive({"part_id": part.id, "location_id": location.id, "quantity": quantity}, admin)
    return {
        "admin": admin,
        "li": li,
        "zhao": zhao,
        "central": central,
        "van_li": van_li,
        "van_zhao": van_zhao,
        "cart": cart,
        "pipe": pipe,
        "dispatcher": dispatcher,
    }


def qty(part, location) -> Decimal:
    db.session.expire_all()
    return db.session.scalar(
        select(Stock.quantity).where(Stock.part_id == part.id, Stock.location_id == location.id)
    )


def token(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_an_engineer_reads_parts_but_cannot_receive_add_or_adjust(store, as_user):
    s = store
    api = as_user(s["li"])
    assert api.get(f"{API}/parts").json["total"] == 2
    assert api.get(f"{API}/parts/{s['cart'].id}").json["sku"] == "FLT-01"
    for path, body in (
        (
            "/stock/receive",
            {"part_id": s["cart"].id, "location_id": s["van_li"].id, "quantity": "5"},
        ),
        (
            "/stock/adjust",
            {"part_id": s["cart"].id, "location_id": s["van_li"].id, "counted": "9", "note": "x"},
        ),
        (
            "/stock/transfer",
            {
                "part_id": s["cart"].id,
                "from_location_id": s["central"].id,
                "to_location_id": s["van_li"].id,
                "quantity": "5",
            },
        ),
        ("/parts", {"sku": "NEW", "name": "New"}),
        ("/stock-locations", {"name": "My depot"}),
    ):
        assert api.post(f"{API}{path}", json=body).status_code == 403, path
    assert api.patch(f"{API}/parts/{s['cart'].id}", json={"price": "1"}).status_code == 403
    assert qty(s["cart"], s["van_li"]) == Decimal("3.00")
    assert db.session.scalar(select(StockMove).where(StockMove.quantity == 5)) is None


def test_a_user_without_service_permissions_sees_no_parts(store, make_user, as_user):
    api = as_user(make_user(role="sales"))
    assert api.get(f"{API}/parts").status_code == 403
    assert api.get(f"{API}/stock").status_code == 403


def test_an_engineer_sees_only_their_own_vans_stock(store, as_user):
    s = store
    api = as_user(s["li"])
    rows = api.get(f"{API}/stock").json
    assert [(r["location_name"], r["sku"], r["quantity"], r["low"]) for r in rows["items"]] == [
        ("Van Li", "FLT-01", "3.00", False)
    ]
    assert api.get(f"{API}/stock?location_id={s['central'].id}").json["total"] == 0
    assert [loc["name"] for loc in api.get(f"{API}/stock-locations").json] == ["Van Li"]
    moves = api.get(f"{API}/stock/moves").json["items"]
    assert [(m["location_id"], m["quantity"]) for m in moves] == [(s["van_li"].id, "3.00")]
    everything = as_user(s["dispatcher"]).get(f"{API}/stock?part_id={s['cart'].id}").json
    assert sorted((r["location_name"], r["quantity"]) for r in everything["items"]) == [
        ("Central", "10.00"),
        ("Van Li", "3.00"),
        ("Van Zhao", "4.00"),
    ]


def test_a_dispatcher_moves_stock_to_a_van_and_back(store, as_user):
    s = store
    api = as_user(s["dispatcher"])
    moved = api.post(
        f"{API}/stock/transfer",
        json={
            "part_id": s["pipe"].id,
            "from_location_id": s["central"].id,
            "to_location_id": s["van_li"].id,
            "quantity": "7.5",
            "note": "for the Wang job",
        },
    )
    assert moved.status_code == 200, moved.json
    assert (moved.json["source"]["quantity"], moved.json["target"]["quantity"]) == ("12.50", "7.50")
    back = api.post(
        f"{API}/stock/transfer",
        json={
            "part_id": s["pipe"].id,
            "from_location_id": s["van_li"].id,
            "to_location_id": s["central"].id,
            "quantity": "8",
        },
    )
    assert back.status_code == 409 and back.json["type"].endswith("/state")  # the stock's state
    assert back.json["errors"] == {"quantity": ["only 7.5 m of Copper pipe in stock at Van Li"]}
    assert qty(s["pipe"], s["van_li"]) == Decimal("7.50")
    assert (
        api.post(
            f"{API}/stock/receive",
            json={"part_id": s["pipe"].id, "location_id": s["central"].id, "quantity": "1"},
        ).status_code
        == 403
    )


def test_an_admin_adds_parts_and_locations_receives_and_counts(store, as_user):
    s = store
    api = as_user(s["admin"])
    made = api.post(
        f"{API}/parts", json={"sku": "CAP-35", "name": "Compressor capacitor", "price": "42.50"}
    )
    assert made.status_code == 201 and made.json["price"] == "42.50"
    again = api.post(f"{API}/parts", json={"sku": "CAP-35", "name": "Twin"})
    assert again.status_code == 409 and list(again.json["errors"]) == ["sku"]
    stale = api.patch(f"{API}/parts/{made.json['id']}", json={"price": "40", "version": 9})
    assert stale.status_code == 409
    fresh = api.patch(f"{API}/parts/{made.json['id']}", json={"price": "40", "version": 1})
    assert fresh.status_code == 200 and fresh.json["price"] == "40.00"
    depot = api.post(f"{API}/stock-locations", json={"name": "North depot"})
    assert depot.status_code == 201 and depot.json["kind"] == "warehouse"
    got = api.post(
        f"{API}/stock/receive",
        json={"part_id": made.json["id"], "location_id": depot.json["id"], "quantity": "6"},
    )
    assert got.status_code == 200 and got.json["quantity"] == "6.00"
    counted = api.post(
        f"{API}/stock/adjust",
        json={
            "part_id": made.json["id"],
            "location_id": depot.json["id"],
            "counted": "4",
            "note": "2 broken",
        },
    )
    assert counted.status_code == 200 and counted.json["quantity"] == "4.00"
    assert counted.json["low"] is False
    moves = api.get(f"{API}/stock/moves?part_id={made.json['id']}&sort=at").json["items"]
    assert [(m["reason"], m["quantity"], m["note"]) for m in moves] == [
        ("receive", "6.00", None),
        ("adjust", "-2.00", "2 broken"),
    ]


def test_completion_with_parts_through_the_api(store, make_order, as_user):
    s = store
    order = make_order("on_site", s["li"])
    api = as_user(s["li"])
    over = api.post(
        f"{API}/work-orders/{order.id}/transitions",
        json={
            "action": "complete",
            "version": order.version,
            **REPORT,
            "parts": [{"part_id": s["cart"].id, "quantity": "4"}],
        },
    )
    assert over.status_code == 409
    assert over.json["errors"] == {
        "parts.0.quantity": ["only 3 pcs of Filter cartridge in stock at Van Li"]
    }
    assert reload(order).status == "on_site"
    done = api.post(
        f"{API}/work-orders/{order.id}/transitions",
        json={
            "action": "complete",
            "version": order.version,
            **REPORT,
            "parts": [{"part_id": s["cart"].id, "quantity": "2"}],
        },
    )
    assert done.status_code == 200, done.json
    assert [(p["sku"], p["quantity"], p["location_name"]) for p in done.json["parts_used"]] == [
        ("FLT-01", "2.00", "Van Li")
    ]
    assert qty(s["cart"], s["van_li"]) == Decimal("1.00")
    detail = api.get(f"{API}/work-orders/{order.id}").json
    assert detail["parts_used"][0]["name"] == "Filter cartridge"
    low = api.get(f"{API}/stock").json["items"]
    assert [(r["quantity"], r["low"]) for r in low] == [("1.00", True)]


def test_the_openapi_document_describes_parts_and_stock(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/parts",
        "/parts/{part_id}",
        "/stock-locations",
        "/stock",
        "/stock/receive",
        "/stock/transfer",
        "/stock/adjust",
        "/stock/moves",
    ):
        assert f"{API}{path}" in paths, path


def test_the_parts_page_shows_stock_per_location_with_low_stock_marked(store, login_as):
    s = store
    stock.receive(
        {"part_id": s["pipe"].id, "location_id": s["van_zhao"].id, "quantity": "1.5"}, s["admin"]
    )
    page = login_as(s["admin"]).get("/service/parts")
    assert page.status_code == 200
    for text in (
        "Filter cartridge",
        "FLT-01",
        "Central",
        "Van Zhao",
        "Receive stock",
        "Move stock",
        "New spare part",
        "New stock location",
    ):
        assert text in page.text, text
    assert re.findall(r'<span class="badge due"[^>]*>([^<]+)</span>', page.text) == ["1.5"]


def test_pages_receive_and_refuse_a_transfer_beyond_stock(store, login_as):
    s = store
    client = login_as(s["admin"])
    csrf = token(client, "/service/parts")
    done = client.post(
        "/service/parts/receive",
        data={
            "csrf_token": csrf,
            "part_id": s["pipe"].id,
            "location_id": s["van_li"].id,
            "quantity": "2.5",
        },
    )
    assert done.status_code == 302
    assert qty(s["pipe"], s["van_li"]) == Decimal("2.50")
    refused = client.post(
        "/service/parts/transfer",
        data={
            "csrf_token": csrf,
            "part_id": s["pipe"].id,
            "from_location_id": s["van_li"].id,
            "to_location_id": s["central"].id,
            "quantity": "3",
        },
    )
    assert refused.status_code == 422
    assert "only 2.5 m of Copper pipe in stock at Van Li" in refused.text
    assert qty(s["pipe"], s["van_li"]) == Decimal("2.50")
    assert qty(s["pipe"], s["central"]) == Decimal("20.00")


def test_an_engineer_may_not_post_the_stock_forms(store, login_as):
    s = store
    client = login_as(s["li"])
    page = client.get("/service/parts")
    assert page.status_code == 200 and "Van Zhao" not in page.text
    assert "Receive stock" not in page.text
    csrf = token(client, "/service/parts")
    assert (
        client.post(
            "/service/parts/receive",
            data={
                "csrf_token": csrf,
                "part_id": s["cart"].id,
                "location_id": s["van_li"].id,
                "quantity": "5",
            },
        ).status_code
        == 403
    )
    assert qty(s["cart"], s["van_li"]) == Decimal("3.00")


def test_the_engineer_completes_with_parts_from_the_phone_view(store, make_order, login_as):
    s = store
    order = make_order("on_site", s["li"], appointment_at=None)
    client = login_as(s["li"])
    jobs = client.get("/service/my-jobs")
    assert "My van stock" in jobs.text and "Filter cartridge" in jobs.text
    assert 'name="parts-0-part_id"' in jobs.text and 'name="parts-2-quantity"' in jobs.text
    form = {
        "csrf_token": token(client, "/service/my-jobs"),
        "action": "complete",
        "version": order.version,
        **REPORT,
    }
    refused = client.post(
        f"/service/work-orders/{order.id}/transition",
        data={
            **form,
            "parts-0-part_id": s["cart"].id,
            "parts-0-quantity": "5",
            "parts-1-part_id": "",
            "parts-1-quantity": "",
        },
    )
    assert refused.status_code == 422
    assert "only 3 pcs of Filter cartridge in stock at Van Li" in refused.text
    assert reload(order).status == "on_site"
    assert qty(s["cart"], s["van_li"]) == Decimal("3.00")
    done = client.post(
        f"/service/work-orders/{order.id}/transition",
        data={
            **form,
            "back": "my_jobs",
            "parts-0-part_id": "",
            "parts-0-quantity": "",
            "parts-1-part_id": s["cart"].id,
            "parts-1-quantity": "1",
        },
    )
    assert done.status_code == 302
    assert reload(order).status == "completed"
    assert qty(s["cart"], s["van_li"]) == Decimal("2.00")
    page = client.get(f"/service/work-orders/{order.id}")
    assert "Parts used" in page.text and "Filter cartridge" in page.text


def test_the_spare_parts_menu_item(store, login_as, make_user):
    assert 'href="/service/parts"' in login_as(store["dispatcher"]).get("/service/board").text


def test_stock_beyond_what_the_books_can_hold_is_refused_naming_the_quantity(store, as_user):
    api = as_user(store["admin"])
    body = {
        "part_id": store["cart"].id,
        "location_id": store["central"].id,
        "quantity": "9999999999",
    }
    answer = api.post(f"{API}/stock/receive", json=body)
    assert answer.status_code == 409 and "quantity" in answer.json["errors"], answer.json
    assert qty(store["cart"], store["central"]) == Decimal("10")
