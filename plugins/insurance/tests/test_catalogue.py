"""The catalogue through its API: carriers and products written, read,
changed and deleted; every refusal named by its field; who may read and
who may write."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from core.api import DataScope, Role, db
from plugins.insurance.models import Carrier, InsuranceProduct, Rate

API = "/api/v1/insurance"


@pytest.fixture
def people(make_user):
    db.session.add(
        Role(name="ins_reader", permissions=["insurance.policy.read"], scope=DataScope.own)
    )
    db.session.commit()
    return {
        "admin": make_user(role="admin"),
        "reader": make_user(role="ins_reader"),
        "nobody": make_user(role="sales"),
    }


@pytest.fixture
def admin(people, as_user):
    return as_user(people["admin"])


def new_carrier(client, code="PICC", name="PICC Property"):
    answer = client.post(f"{API}/carriers", json={"code": code, "name": name})
    assert answer.status_code == 201, answer.json
    return answer.json


def new_product(client, carrier_id, **fields):
    body = {
        "carrier_id": carrier_id,
        "code": "CAR-1",
        "name": "Private car",
        "line": "motor",
        "pricing": "table",
        "covers": [
            {"code": "TPL", "name": "Third-party liability", "mandatory": True},
            {"code": "OD", "name": "Own damage", "min_sum_insured": "10000"},
        ],
        **fields,
    }
    answer = client.post(f"{API}/products", json=body)
    assert answer.status_code == 201, answer.json
    return answer.json


def test_a_carrier_is_written_read_changed_and_deleted(admin):
    carrier = new_carrier(admin)
    assert admin.get(f"{API}/carriers/{carrier['id']}").json["code"] == "PICC"
    changed = admin.patch(
        f"{API}/carriers/{carrier['id']}", json={"name": "PICC P&C", "version": carrier["version"]}
    )
    assert changed.status_code == 200 and changed.json["name"] == "PICC P&C"
    stale = admin.patch(
        f"{API}/carriers/{carrier['id']}", json={"name": "Old", "version": carrier["version"]}
    )
    assert stale.status_code == 409
    assert admin.delete(f"{API}/carriers/{carrier['id']}").status_code == 204
    assert admin.get(f"{API}/carriers/{carrier['id']}").status_code == 404
    assert admin.get(f"{API}/carriers").json["total"] == 0
    assert db.session.get(Carrier, carrier["id"]).deleted_at is not None
    actions = db.session.scalars(
        text("SELECT action FROM audit_entry WHERE entity = 'insurance_carrier'")
    ).all()
    assert sorted(actions) == ["create", "delete", "update"]


def test_carrier_codes_are_unique_even_after_a_delete(admin):
    first = new_carrier(admin)
    taken = admin.post(f"{API}/carriers", json={"code": "PICC", "name": "Again"})
    assert taken.status_code == 409 and "code" in taken.json["errors"]
    admin.delete(f"{API}/carriers/{first['id']}")
    assert admin.post(f"{API}/carriers", json={"code": "PICC", "name": "x"}).status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No code"}, "code"),
        ({"code": "X" * 21, "name": "Long"}, "code"),
        ({"code": "OK"}, "name"),
        ({"code": "OK", "name": "n", "active": "yes"}, "active"),
    ],
)
def test_a_bad_carrier_is_refused_naming_the_field(admin, body, field):
    answer = admin.post(f"{API}/carriers", json=body)
    assert answer.status_code == 422 and field in answer.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(Carrier)) == 0


def test_a_product_with_its_covers_is_written_and_its_covers_replaced(admin):
    carrier = new_carrier(admin)
    product = new_product(admin, carrier["id"])
    assert [c["code"] for c in product["covers"]] == ["TPL", "OD"]
    assert product["grace_days"] == 30 and product["reinstatement_days"] == 0
    changed = admin.patch(
        f"{API}/products/{product['id']}",
        json={
            "covers": [{"code": "OD", "name": "Own damage", "mandatory": True}],
            "version": product["version"],
        },
    )
    assert changed.status_code == 200, changed.json
    assert [(c["code"], c["mandatory"]) for c in changed.json["covers"]] == [("OD", True)]
    assert changed.json["version"] > product["version"]
    listed = admin.get(f"{API}/products?line=motor").json
    assert [p["code"] for p in listed["items"]] == ["CAR-1"]


def test_a_life_product_keeps_a_longer_grace_and_a_reinstatement_window(admin):
    carrier = new_carrier(admin)
    life = new_product(admin, carrier["id"], code="L1", line="life", covers=[])
    assert (life["grace_days"], life["reinstatement_days"]) == (60, 730)


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"line": "pets"}, 422, "line"),
        ({"pricing": "guess"}, 422, "pricing"),
        ({"frequencies": ["weekly"]}, 422, "frequencies"),
        ({"grace_days": -1}, 422, "grace_days"),
        ({"cooling_off_days": -5}, 422, "cooling_off_days"),
        ({"term_months": 13}, 422, "term_months"),
        ({"clawback_percent": "120"}, 422, "clawback_percent"),
        ({"pricing": "fixed"}, 422, "fixed_premium"),
        ({"effective_from": "2026-05-01", "effective_to": "2026-04-30"}, 422, "effective_to"),
        (
            {"covers": [{"code": "A", "name": "a"}, {"code": "A", "name": "b"}]},
            422,
            "covers.1.code",
        ),
        (
            {
                "covers": [
                    {"code": "A", "name": "a", "min_sum_insured": "10", "max_sum_insured": "5"}
                ]
            },
            422,
            "covers",
        ),
        ({"carrier_id": 999999}, 404, "carrier_id"),
        ({"code": "CAR-1"}, 409, "code"),
    ],
)
def test_a_bad_product_is_refused_naming_the_field(admin, fields, status, field):
    carrier = new_carrier(admin)
    new_product(admin, carrier["id"])
    body = {"carrier_id": carrier["id"], "code": "NEW", "name": "n", "line": "motor"}
    body["pricing"] = "table"
    answer = admin.post(f"{API}/products", json={**body, **fields})
    assert answer.status_code == status, answer.json
    assert any(key.startswith(field) for key in answer.json["errors"]), answer.json
    assert db.session.scalar(select(func.count()).select_from(InsuranceProduct)) == 1


def test_the_same_product_code_may_serve_two_carriers(admin):
    new_product(admin, new_carrier(admin)["id"])
    other = new_carrier(admin, code="CPIC", name="CPIC")
    assert new_product(admin, other["id"])["code"] == "CAR-1"


def test_a_premium_table_is_replaced_whole_on_the_products_version(admin):
    product = new_product(admin, new_carrier(admin)["id"])
    rows = [
        {"cover_code": "TPL", "vehicle_class": "A", "annual_premium": "950.00"},
        {"cover_code": "TPL", "vehicle_class": "B", "annual_premium": "1100.00"},
        {"cover_code": "OD", "sum_from": "10000", "sum_to": "300000", "rate_per_mille": "12.5"},
    ]
    put = admin.put(
        f"{API}/products/{product['id']}/rates", json={"rates": rows, "version": product["version"]}
    )
    assert put.status_code == 200, put.json
    assert [r["annual_premium"] for r in put.json["rates"]] == ["950.00", "1100.00", None]
    stale = admin.put(
        f"{API}/products/{product['id']}/rates", json={"rates": [], "version": product["version"]}
    )
    assert stale.status_code == 409
    assert len(admin.get(f"{API}/products/{product['id']}/rates").json["rates"]) == 3


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ([{"annual_premium": "1", "rate_per_mille": "2"}], "rates.0"),
        ([{"cover_code": "TPL"}], "rates.0"),
        ([{"cover_code": "NOPE", "annual_premium": "1"}], "rates.0.cover_code"),
        ([{"age_from": 40, "age_to": 18, "annual_premium": "1"}], "rates.0.age_to"),
        ([{"sum_from": "100", "sum_to": "50", "annual_premium": "1"}], "rates.0.sum_to"),
        ([{"annual_premium": "-1"}], "rates.0.annual_premium"),
        ([{"rate_per_mille": "1.23456"}], "rates.0.rate_per_mille"),
        (
            [
                {"age_from": 18, "age_to": 40, "annual_premium": "100"},
                {"age_from": 40, "age_to": 60, "annual_premium": "200"},
            ],
            "rates.1",
        ),
        (
            [
                {"cover_code": "TPL", "vehicle_class": "A", "annual_premium": "100"},
                {"cover_code": "TPL", "annual_premium": "200"},
            ],
            "rates.1",
        ),
        (
            [
                {"sum_from": "0", "sum_to": "100000", "rate_per_mille": "2"},
                {"sum_from": "100000", "rate_per_mille": "1.5"},
            ],
            "rates.1",
        ),
    ],
)
def test_a_bad_premium_table_is_refused_naming_the_row(admin, rows, field):
    product = new_product(admin, new_carrier(admin)["id"])
    admin.put(f"{API}/products/{product['id']}/rates", json={"rates": [{"annual_premium": "5"}]})
    answer = admin.put(f"{API}/products/{product['id']}/rates", json={"rates": rows})
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"], answer.json
    kept = db.session.scalars(select(Rate.annual_premium)).all()
    assert [str(v) for v in kept] == ["5.00"]


def test_bands_that_only_touch_or_differ_by_class_or_cover_are_accepted(admin):
    product = new_product(admin, new_carrier(admin)["id"])
    rows = [
        {"age_from": 18, "age_to": 40, "annual_premium": "100"},
        {"age_from": 41, "age_to": 60, "annual_premium": "200"},
        {"cover_code": "TPL", "vehicle_class": "A", "annual_premium": "1"},
        {"cover_code": "TPL", "vehicle_class": "B", "annual_premium": "2"},
        {"cover_code": "OD", "vehicle_class": "A", "annual_premium": "3"},
    ]
    answer = admin.put(f"{API}/products/{product['id']}/rates", json={"rates": rows})
    assert answer.status_code == 200, answer.json


def test_readers_read_only_admins_write_others_are_refused(people, as_user, admin):
    carrier = new_carrier(admin)
    product = new_product(admin, carrier["id"])
    reader, nobody = as_user(people["reader"]), as_user(people["nobody"])
    assert reader.get(f"{API}/carriers").status_code == 200
    assert reader.get(f"{API}/products/{product['id']}/rates").status_code == 200
    assert reader.post(f"{API}/carriers", json={"code": "X", "name": "x"}).status_code == 403
    assert reader.patch(f"{API}/products/{product['id']}", json={"name": "x"}).status_code == 403
    assert (
        reader.put(f"{API}/products/{product['id']}/rates", json={"rates": []}).status_code == 403
    )
    assert reader.delete(f"{API}/carriers/{carrier['id']}").status_code == 403
    assert nobody.get(f"{API}/carriers").status_code == 403
    assert nobody.get(f"{API}/products/{product['id']}").status_code == 403
    assert reader.get(f"{API}/products/999999").status_code == 404


def test_a_deleted_carriers_products_leave_the_catalogue(admin):
    carrier = new_carrier(admin)
    product = new_product(admin, carrier["id"])
    admin.delete(f"{API}/carriers/{carrier['id']}")
    assert admin.get(f"{API}/products/{product['id']}").status_code == 404
    assert admin.get(f"{API}/products").json["total"] == 0


def test_the_catalogue_is_in_the_openapi_document(admin):
    paths = admin.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/insurance/carriers/{carrier_id}",
        "/api/v1/insurance/products/{product_id}/rates",
        "/api/v1/insurance/products/{product_id}/price",
        "/api/v1/insurance/agents/{agent_id}",
    ):
        assert path in paths
    assert "put" in paths["/api/v1/insurance/products/{product_id}/rates"]
