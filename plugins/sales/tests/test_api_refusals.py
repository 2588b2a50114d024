"""How the sales API refuses input, one class each: a malformed value or a
broken rule is a 422, an id naming no record a 404, a value another record
holds a 409 — each naming the field — and the OpenAPI document says the
rules a JSON Schema can say."""

from __future__ import annotations

import pytest

from core.api import db
from plugins.sales.models import Pipeline, Product
from plugins.sales.services import pipelines as pipeline_service
from plugins.sales.services import products

STAGES = [
    {"name": "Open", "probability": 20},
    {"name": "Won", "probability": 100, "outcome": "won"},
    {"name": "Lost", "probability": 0, "outcome": "lost"},
]


@pytest.fixture
def admin(app, make_user, as_user):
    return as_user(make_user(role="admin"))


def test_a_product_code_another_product_holds_is_a_409_naming_the_code(admin):
    products.create_product({"code": "WP-1", "name": "Purifier", "unit_price": "10"}, None)
    other = products.create_product({"code": "WP-2", "name": "Filter", "unit_price": "2"}, None)
    created = admin.post(
        "/api/v1/sales/products", json={"code": "WP-1", "name": "Copy", "unit_price": "1"}
    )
    assert created.status_code == 409 and "code" in created.json["errors"]
    changed = admin.patch(f"/api/v1/sales/products/{other.id}", json={"code": "WP-1"})
    assert changed.status_code == 409 and "code" in changed.json["errors"]
    assert db.session.query(Product).count() == 2


def test_a_product_patch_is_partial_and_its_flags_and_prices_are_strict(admin):
    product = products.create_product({"name": "Purifier", "unit_price": "10.00"}, None)
    partial = admin.patch(f"/api/v1/sales/products/{product.id}", json={"unit_price": "12.50"})
    assert partial.status_code == 200 and partial.json["name"] == "Purifier"
    assert partial.json["unit_price"] == "12.50"
    for body, field in [
        ({"active": 0}, "active"),
        ({"active": "false"}, "active"),
        ({"unit_price": 12}, "unit_price"),
        ({"unit_price": "12.505"}, "unit_price"),
        ({"unit_price": "-1"}, "unit_price"),
        ({"currency": "XYZ"}, "currency"),
    ]:
        got = admin.patch(f"/api/v1/sales/products/{product.id}", json=body)
        assert got.status_code == 422 and field in got.json["errors"], (body, got.json)
    new = admin.post("/api/v1/sales/products", json={"name": "X", "unit_price": "1", "active": 0})
    assert new.status_code == 422 and "active" in new.json["errors"]


def test_a_deal_in_a_pipeline_that_does_not_exist_is_a_404_naming_it(admin, make_customer):
    customer = make_customer()
    got = admin.post(
        "/api/v1/sales/deals",
        json={"title": "Ghost", "customer_id": customer.id, "pipeline_id": 987654},
    )
    assert got.status_code == 404 and list(got.json["errors"]) == ["pipeline_id"]
    both = admin.post(
        "/api/v1/sales/deals",
        json={"title": "Ghost", "customer_id": customer.id, "pipeline_id": 987654, "amount": 5},
    )
    assert both.status_code == 422 and "amount" in both.json["errors"]  # malformed comes first


@pytest.mark.parametrize(
    "path", ["/api/v1/sales/targets?month=", "/api/v1/sales/reports/commission?month="]
)
def test_an_empty_month_is_a_422_and_the_document_shows_the_pattern(admin, path):
    got = admin.get(path)
    assert got.status_code == 422 and "month" in got.json["errors"]
    assert admin.get(path + "2026-03").status_code == 200
    doc = admin.get("/api/v1/openapi.json").json
    route = path.split("?")[0].removeprefix("/api/v1")
    (month,) = [
        p for p in doc["paths"]["/api/v1" + route]["get"]["parameters"] if p["name"] == "month"
    ]
    assert month["schema"]["pattern"].startswith("^")


def test_a_pipeline_needs_one_won_and_one_lost_stage_and_a_free_name(admin):
    no_lost = admin.post("/api/v1/sales/pipelines", json={"name": "Half", "stages": STAGES[:2]})
    assert no_lost.status_code == 422 and "stages" in no_lost.json["errors"]
    pipeline_service.create_pipeline({"name": "Taken", "stages": STAGES}, None)
    taken = admin.post("/api/v1/sales/pipelines", json={"name": "Taken", "stages": STAGES})
    assert taken.status_code == 409 and "name" in taken.json["errors"]
    assert db.session.query(Pipeline).count() == 1
    stages = admin.get("/api/v1/openapi.json").json["components"]["schemas"]["PipelineInput"][
        "properties"
    ]["stages"]
    assert [rule["contains"]["properties"]["outcome"] for rule in stages["allOf"]] == [
        {"const": "won"},
        {"const": "lost"},
    ]
    assert all(rule["minContains"] == rule["maxContains"] == 1 for rule in stages["allOf"])


def test_a_csv_import_needs_its_header_row(admin):
    def post(body: str, query: str = ""):
        return admin.post("/api/v1/sales/leads/import" + query, data=body, content_type="text/csv")

    for body in ("", "  \n", "Name\nLi", "name,age\nLi,3"):
        got = post(body)
        assert got.status_code == 422 and "file" in got.json["errors"], body
    assert post("name\n").json == {"imported": 0, "bad_rows": []}
    assert post("name\nLi", "?skip_bad=true").json["imported"] == 1
    got = post("name\nLi", "?skip_bad=maybe")
    assert got.status_code == 422 and "skip_bad" in got.json["errors"]


def test_a_line_of_a_product_the_deal_cannot_use_is_a_404_and_a_sum_too_big_a_422(
    admin, make_customer
):
    pipeline = pipeline_service.create_pipeline({"name": "P", "stages": STAGES}, None)
    deal = admin.post(
        "/api/v1/sales/deals",
        json={"title": "D", "customer_id": make_customer().id, "pipeline_id": pipeline.id},
    ).json
    euros = products.create_product({"name": "Unit", "unit_price": "1", "currency": "EUR"}, None)
    path = f"/api/v1/sales/deals/{deal['id']}/lines"  # the deal is in the instance's USD
    foreign = admin.put(path, json={"lines": [{"product_id": euros.id, "quantity": "1"}]})
    assert foreign.status_code == 404 and "lines.0.product_id" in foreign.json["errors"]
    line = {"description": "Tower", "unit_price": "999999999999.99", "quantity": "2"}
    too_big = admin.put(path, json={"lines": [line]})
    assert too_big.status_code == 422 and "lines" in too_big.json["errors"]
    bad = admin.put(path, json={"lines": [{**line, "quantity": 2, "discount_percent": "100.5"}]})
    assert bad.status_code == 422
    assert {"lines.0.quantity", "lines.0.discount_percent"} <= set(bad.json["errors"])
