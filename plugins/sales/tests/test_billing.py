"""A customer's billing details (开票信息): the title required, the taxpayer
number a unified social credit code on a Chinese instance (free text
elsewhere), the bank account digits and spaces; read and saved only by who
may see (and edit) the customer — through the service, the API and the tab."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.api import NotFoundError, StaleVersionError, ValidationError, db
from plugins.sales.models import BillingProfile
from plugins.sales.services.invoices.billing import billing_profile, save_billing_profile

from .test_invoices_helpers import FULL_BILLING, USCC, USCC_2, csrf


@pytest.fixture
def rep(make_user):
    return make_user(role="sales", name="Rita Rep")


def profiles() -> int:
    return db.session.scalar(select(func.count()).select_from(BillingProfile))


def test_saving_and_replacing_the_billing_details(rep, make_customer):
    customer = make_customer(owner_id=rep.id)
    saved = save_billing_profile(
        customer.id, {**FULL_BILLING, "tax_number": " 9131 0115 ma1k 3yj1 2g "}, rep
    )
    assert saved.tax_number == USCC_2  # spaces gone, capitals
    assert billing_profile(customer.id, rep).title == FULL_BILLING["title"]
    again = save_billing_profile(customer.id, {"title": "新抬头"}, rep, saved.version)
    assert (again.id, again.title, again.tax_number, again.bank_account) == (
        saved.id,
        "新抬头",
        None,
        None,
    )
    with pytest.raises(StaleVersionError):
        save_billing_profile(customer.id, {"title": "旧的"}, rep, 1)
    assert profiles() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": None}, "title"),
        ({"tax_number": "91110000600037341X"}, "tax_number"),  # wrong check character
        ({"tax_number": "9111000060003734"}, "tax_number"),  # 16 characters
        ({"bank_account": "6225-8812"}, "bank_account"),
        ({"bank_account": "CN12 3456"}, "bank_account"),
    ],
)
def test_bad_billing_details_name_their_field(rep, make_customer, change, field):
    customer = make_customer(owner_id=rep.id)
    with pytest.raises(ValidationError) as refused:
        save_billing_profile(customer.id, {**FULL_BILLING, **change}, rep)
    assert list(refused.value.errors) == [field]
    assert profiles() == 0


def test_outside_china_the_tax_number_is_free_text(make_app, make_user, make_customer):
    make_app(TRELLIS_REGION="DE")
    rep = make_user(role="sales")
    customer = make_customer(owner_id=rep.id)
    saved = save_billing_profile(
        customer.id, {"title": "Beispiel GmbH", "tax_number": "DE 123 456 789"}, rep
    )
    assert saved.tax_number == "DE 123 456 789"


def test_another_reps_private_customer_is_out_of_reach(rep, make_user, make_customer):
    other = make_user(role="sales")
    theirs = make_customer(owner_id=other.id)
    save_billing_profile(theirs.id, FULL_BILLING, other)
    with pytest.raises(NotFoundError):
        billing_profile(theirs.id, rep)
    with pytest.raises(NotFoundError):
        save_billing_profile(theirs.id, {"title": "偷改"}, rep)
    assert billing_profile(theirs.id, other).title == FULL_BILLING["title"]


def test_the_billing_profile_api(rep, make_user, make_customer, as_user):
    customer = make_customer(owner_id=rep.id)
    client = as_user(rep)
    url = f"/api/v1/sales/customers/{customer.id}/billing-profile"
    assert client.get(url).status_code == 404  # none yet
    bad = client.put(url, json={**FULL_BILLING, "tax_number": "12345"})
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["tax_number"]
    put = client.put(url, json=FULL_BILLING)
    assert put.status_code == 200, put.json
    assert put.json["tax_number"] == USCC
    got = client.get(url)
    assert got.json["title"] == FULL_BILLING["title"] and got.json["version"] == 1
    stale = client.put(url, json={**FULL_BILLING, "title": "X", "version": 99})
    assert stale.status_code == 409
    other = as_user(make_user(role="sales"))
    assert other.get(url).status_code == 404
    assert other.put(url, json={"title": "偷改"}).status_code == 404
    reader = make_user(role="finance")  # sees every customer, may not edit one
    assert as_user(reader).get(url).status_code == 200
    assert as_user(reader).put(url, json={"title": "改"}).status_code == 403
    assert client.get(url).json["title"] == FULL_BILLING["title"]


def test_the_customer_tab_shows_the_form_and_refusals_by_field(rep, make_customer, login_as):
    customer = make_customer(owner_id=rep.id)
    browser = login_as(rep)
    page = browser.get(f"/customers/{customer.id}?tab=billing")
    assert page.status_code == 200
    assert 'name="tax_number"' in page.text
    token = csrf(browser, f"/customers/{customer.id}?tab=billing")
    refused = browser.post(
        f"/sales/customers/{customer.id}/billing",
        data={**FULL_BILLING, "tax_number": "91110000600037341X", "csrf_token": token},
    )
    assert refused.status_code == 422
    assert 'id="e-tax_number"' in refused.text and FULL_BILLING["title"] in refused.text
    assert profiles() == 0
    saved = browser.post(
        f"/sales/customers/{customer.id}/billing", data={**FULL_BILLING, "csrf_token": token}
    )
    assert saved.status_code == 302 and "tab=billing" in saved.headers["Location"]
    assert billing_profile(customer.id, rep).bank_name == FULL_BILLING["bank_name"]


def test_another_rep_gets_no_tab_of_a_private_customer(rep, make_user, make_customer, login_as):
    other = make_user(role="sales")
    theirs = make_customer(owner_id=other.id)
    save_billing_profile(theirs.id, FULL_BILLING, other)
    browser = login_as(rep)
    token = csrf(browser, f"/customers/{make_customer(owner_id=rep.id).id}?tab=billing")
    assert browser.get(f"/sales/customers/{theirs.id}/billing").status_code == 404
    assert browser.get(f"/customers/{theirs.id}/tab/billing").status_code == 404
    posted = browser.post(
        f"/sales/customers/{theirs.id}/billing", data={"title": "偷改", "csrf_token": token}
    )
    assert posted.status_code == 404
    assert billing_profile(theirs.id, other).title == FULL_BILLING["title"]
