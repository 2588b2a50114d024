"""A health product's outpatient cover terms (co-payment, deductible, annual
limit, the charge categories covered): written and read through the API,
refused by their field, edited on the product's form, shown on its page;
and the insurance plugin answers the hospital's hooks optionally — it
loads without the hospital plugin."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.api import db
from plugins.insurance.models import Carrier, InsuranceProduct


@pytest.fixture
def carrier(app):
    found = Carrier(code="PA", name="Ping An Health")
    db.session.add(found)
    db.session.commit()
    return found


def _product(carrier, **fields) -> dict:
    return {
        "carrier_id": carrier.id,
        "code": "OPD",
        "name": "Outpatient plan",
        "line": "health",
        "pricing": "fixed",
        "fixed_premium": "1280.00",
        "effective_from": "2026-01-01",
        **fields,
    }


def test_the_api_keeps_the_outpatient_terms(as_user, make_user, carrier):
    api = as_user(make_user(role="admin"))
    made = api.post(
        "/api/v1/insurance/products",
        json=_product(
            carrier,
            outpatient_copay_percent="20",
            outpatient_deductible="300.00",
            outpatient_limit="10000.00",
            outpatient_categories=["drug", "lab"],
        ),
    )
    assert made.status_code == 201, made.json
    terms = {k: v for k, v in made.json.items() if k.startswith("outpatient_")}
    assert terms == {
        "outpatient_copay_percent": "20.00",
        "outpatient_deductible": "300.00",
        "outpatient_limit": "10000.00",
        "outpatient_categories": ["drug", "lab"],
        "outpatient_shared": False,  # each insured person's own deductible and limit
    }
    changed = api.patch(
        f"/api/v1/insurance/products/{made.json['id']}",
        json={"outpatient_limit": None, "version": made.json["version"]},
    )
    assert changed.status_code == 200, changed.json
    assert (changed.json["outpatient_limit"], changed.json["outpatient_copay_percent"]) == (
        None,
        "20.00",
    )
    plain = api.post("/api/v1/insurance/products", json=_product(carrier, code="OPD2"))
    assert plain.status_code == 201
    assert (plain.json["outpatient_copay_percent"], plain.json["outpatient_categories"]) == (
        None,
        [],
    )
    assert plain.json["outpatient_deductible"] == "0.00"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("outpatient_copay_percent", "120"),
        ("outpatient_copay_percent", "12.345"),
        ("outpatient_deductible", "-1"),
        ("outpatient_limit", "0"),
        ("outpatient_categories", ["drug", "massage"]),
    ],
)
def test_bad_outpatient_terms_are_refused_by_their_field(as_user, make_user, carrier, field, value):
    api = as_user(make_user(role="admin"))
    refused = api.post("/api/v1/insurance/products", json=_product(carrier, **{field: value}))
    assert refused.status_code == 422
    assert any(name.split(".")[0] == field for name in refused.json["errors"]), refused.json
    assert db.session.scalars(select(InsuranceProduct)).all() == []


def _csrf_post(client, path, data):
    page = client.get("/insurance/carriers").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return client.post(path, data={**data, "csrf_token": found.group(1) if found else ""})


def test_the_form_edits_the_terms_and_the_page_shows_them(login_as, make_user, carrier):
    admin = login_as(make_user(role="admin"))
    made = _csrf_post(
        admin,
        "/insurance/products/new",
        {
            **_product(carrier),
            "frequencies": ["annual"],
            "outpatient_copay_percent": "20",
            "outpatient_deductible": "300",
            "outpatient_limit": "",
            "outpatient_categories": ["registration", "drug"],
        },
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    product = db.session.scalar(select(InsuranceProduct).where(InsuranceProduct.code == "OPD"))
    assert (product.outpatient_copay_percent, product.outpatient_deductible) == (20, 300)
    assert product.outpatient_limit is None
    assert product.outpatient_categories == ["registration", "drug"]
    form = admin.get(f"/insurance/products/{product.id}").get_data(as_text=True)
    assert re.search(r'value="registration" checked', form)
    assert not re.search(r'value="lab" checked', form)
    refused = _csrf_post(
        admin,
        f"/insurance/products/{product.id}",
        {**_product(carrier), "version": product.version, "outpatient_copay_percent": "101"},
    )
    assert refused.status_code == 422
    assert 'id="e-outpatient_copay_percent"' in refused.get_data(as_text=True)
    reader = login_as(make_user(role="manager"))
    page = reader.get(f"/insurance/products/{product.id}").get_data(as_text=True)
    assert "Outpatient cover" in page and "Registration, Drugs" in page and "No limit" in page


def test_the_insurance_plugin_loads_without_the_hospital(make_app):
    """Its ``trellis_his_*`` implementations are optional hooks: with no
    hospital plugin there is no spec for them, and start-up does not stop."""
    app = make_app(TRELLIS_PLUGINS="insurance")
    registry = app.extensions["trellis"]
    assert registry.enabled_names == ["insurance"]
    caller = registry.pm.hook.trellis_his_coverage
    assert caller.spec is None and [i.plugin_name for i in caller.get_hookimpls()] == ["insurance"]
