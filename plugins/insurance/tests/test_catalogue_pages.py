"""The catalogue's and the agents' pages: forms that write through the same
services as the API, refusals shown by their field, the premium table's
rows added and removed, a price tried; both locales render; who may see."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import DataScope, Role, db
from core.testing.pages import untranslated
from plugins.insurance.models import Agent, Carrier, Cover, InsuranceProduct, Rate


class FormClient:
    """A signed-in client that posts forms with the session's CSRF token."""

    def __init__(self, client):
        self.client = client

    def get(self, path):
        return self.client.get(path)

    def post(self, path, data):
        page = self.client.get("/insurance/carriers").get_data(as_text=True)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        return self.client.post(path, data={**data, "csrf_token": found.group(1) if found else ""})


@pytest.fixture
def form_client(login_as):
    return lambda user: FormClient(login_as(user))


@pytest.fixture
def catalogue(app):
    carrier = Carrier(code="PICC", name="PICC Property")
    db.session.add(carrier)
    db.session.flush()
    product = InsuranceProduct(
        carrier_id=carrier.id,
        code="CAR-1",
        name="Private car",
        line="motor",
        currency="CNY",
        pricing="table",
        effective_from=date(2026, 1, 1),
        covers=[Cover(code="TPL", name="Third-party liability", mandatory=True)],
    )
    db.session.add(product)
    db.session.flush()
    db.session.add(Rate(product_id=product.id, cover_code="TPL", annual_premium=Decimal("950")))
    db.session.commit()
    return {"carrier": carrier, "product": product}


@pytest.fixture
def admin(make_user, form_client):
    return form_client(make_user(role="admin", name="Ada"))


def test_an_admin_adds_a_carrier_and_a_refusal_is_shown_by_its_field(admin, catalogue):
    made = admin.post("/insurance/carriers", data={"code": "CPIC", "name": "CPIC", "active": "1"})
    assert made.status_code == 302
    assert db.session.scalar(select(Carrier.name).where(Carrier.code == "CPIC")) == "CPIC"
    taken = admin.post("/insurance/carriers", data={"code": "PICC", "name": "Again"})
    assert taken.status_code == 409
    assert 'id="e-code"' in taken.get_data(as_text=True)


def test_a_carrier_is_edited_then_deleted_from_its_page(admin, catalogue):
    carrier = catalogue["carrier"]
    page = admin.get(f"/insurance/carriers/{carrier.id}")
    assert page.status_code == 200 and "Private car" in page.get_data(as_text=True)
    saved = admin.post(
        f"/insurance/carriers/{carrier.id}",
        data={"code": "PICC", "name": "PICC P&C", "version": carrier.version},
    )
    assert saved.status_code == 302
    stale = admin.post(
        f"/insurance/carriers/{carrier.id}",
        data={"code": "PICC", "name": "Old", "version": carrier.version},
    )
    assert stale.status_code == 409
    db.session.expire_all()
    current = db.session.get(Carrier, carrier.id)
    assert current.name == "PICC P&C"
    gone = admin.post(f"/insurance/carriers/{carrier.id}/delete", data={"version": current.version})
    assert gone.status_code == 302
    assert admin.get(f"/insurance/carriers/{carrier.id}").status_code == 404


def test_a_new_product_with_covers_from_the_form(admin, catalogue):
    form = {
        "carrier_id": catalogue["carrier"].id,
        "code": "HOME",
        "name": "Home contents",
        "line": "property",
        "pricing": "fixed",
        "fixed_premium": "365.00",
        "frequencies": ["annual", "monthly"],
        "grace_days": "",
        "covers.0.code": "FIRE",
        "covers.0.name": "Fire",
        "covers.0.mandatory": "1",
        "covers.1.code": "THEFT",
        "covers.1.name": "Theft",
        "covers.1.remove": "1",
        "covers.2.code": "",
        "covers.2.name": "",
    }
    made = admin.post("/insurance/products/new", data=form)
    assert made.status_code == 302, made.get_data(as_text=True)
    product = db.session.scalar(select(InsuranceProduct).where(InsuranceProduct.code == "HOME"))
    assert [c.code for c in product.covers] == ["FIRE"]
    assert product.frequencies == ["annual", "monthly"] and product.grace_days == 30
    refused = admin.post("/insurance/products/new", data={**form, "code": "H2", "grace_days": "-3"})
    assert refused.status_code == 422
    assert 'id="e-grace_days"' in refused.get_data(as_text=True)


def test_the_premium_table_form_adds_and_removes_rows(admin, catalogue):
    product = catalogue["product"]
    page = admin.get(f"/insurance/products/{product.id}").get_data(as_text=True)
    assert "data-add-step" in page and "data-spare-step" in page
    saved = admin.post(
        f"/insurance/products/{product.id}/rates",
        data={
            "version": product.version,
            "rates.0.cover_code": "TPL",
            "rates.0.annual_premium": "950",
            "rates.0.remove": "1",
            "rates.1.cover_code": "TPL",
            "rates.1.vehicle_class": "A",
            "rates.1.annual_premium": "880.00",
            "rates.2.cover_code": "",
            "rates.2.annual_premium": "",
        },
    )
    assert saved.status_code == 302
    rows = db.session.scalars(select(Rate).where(Rate.product_id == product.id)).all()
    assert [(r.vehicle_class, r.annual_premium) for r in rows] == [("A", Decimal("880.00"))]
    db.session.expire_all()
    overlapping = admin.post(
        f"/insurance/products/{product.id}/rates",
        data={
            "version": db.session.get(InsuranceProduct, product.id).version,
            "rates.0.cover_code": "TPL",
            "rates.0.annual_premium": "1",
            "rates.1.cover_code": "TPL",
            "rates.1.annual_premium": "2",
        },
    )
    assert overlapping.status_code == 422
    assert 'id="e-rates.1"' in overlapping.get_data(as_text=True)


def test_try_a_price_on_the_product_page(make_user, form_client, catalogue):
    client = form_client(make_user(role="manager"))
    product = catalogue["product"]
    priced = client.post(
        f"/insurance/products/{product.id}/price", data={"start_date": "2026-03-01"}
    )
    assert priced.status_code == 200
    assert "950.00" in priced.get_data(as_text=True)
    refused = client.post(f"/insurance/products/{product.id}/price", data={})
    assert refused.status_code == 422 and 'id="e-start_date"' in refused.get_data(as_text=True)


def test_an_agent_is_added_and_their_licence_changed(admin, make_user):
    seller = make_user(name="Li Na")
    made = admin.post(
        "/insurance/agents/new",
        data={"user_id": seller.id, "code": "A-7", "rank": "agent", "active": "1"},
    )
    assert made.status_code == 302
    agent = db.session.scalar(select(Agent).where(Agent.user_id == seller.id))
    changed = admin.post(
        f"/insurance/agents/{agent.id}",
        data={
            "code": "A-7",
            "rank": "team_leader",
            "licence_expires_on": "2027-01-31",
            "version": agent.version,
        },
    )
    assert changed.status_code == 302
    listed = admin.get("/insurance/agents").get_data(as_text=True)
    assert "Li Na" in listed and "A-7" in listed
    again = admin.post("/insurance/agents/new", data={"user_id": seller.id, "code": "A-8"})
    assert again.status_code == 409 and 'id="e-user_id"' in again.get_data(as_text=True)


def pages(catalogue, agent_id):
    product, carrier = catalogue["product"], catalogue["carrier"]
    return [
        "/insurance/carriers",
        f"/insurance/carriers/{carrier.id}",
        "/insurance/products",
        "/insurance/products/new",
        f"/insurance/products/{product.id}",
        "/insurance/agents",
        "/insurance/agents/new",
        f"/insurance/agents/{agent_id}",
    ]


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_every_page_renders_in_both_locales(make_user, login_as, catalogue, locale):
    admin = make_user(role="admin", locale=locale)
    agent = Agent(user_id=admin.id, code="A-1", licence_expires_on=date(2020, 1, 1))
    db.session.add(agent)
    db.session.commit()
    client = login_as(admin)
    for url in pages(catalogue, agent.id):
        page = client.get(url)
        assert page.status_code == 200, url
        if locale == "zh_CN":
            assert untranslated(page.get_data(as_text=True)) == [], url


def test_readers_see_the_catalogue_without_forms_others_are_refused(
    make_user, form_client, catalogue
):
    db.session.add(
        Role(name="ins_reader", permissions=["insurance.policy.read"], scope=DataScope.own)
    )
    db.session.commit()
    reader = form_client(make_user(role="ins_reader"))
    product = catalogue["product"]
    page = reader.get(f"/insurance/products/{product.id}").get_data(as_text=True)
    assert "Third-party liability" in page and 'name="rates.0.annual_premium"' not in page
    assert reader.get("/insurance/products/new").status_code == 403
    assert reader.post("/insurance/carriers", data={"code": "X", "name": "X"}).status_code == 403
    assert reader.get("/insurance/products/999999").status_code == 404
    other = form_client(make_user(role="sales"))
    assert other.get("/insurance/carriers").status_code == 403
    assert other.get("/insurance/agents").status_code == 403
