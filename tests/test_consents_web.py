"""Consent through the API (``/api/v1/customers/<id>/consents``) and on the
customer page's Consent tab: the same rules, the same scope as the customer."""

from __future__ import annotations

import re

from core.api import may_contact


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_the_api_records_and_lists_decisions(make_user, make_customer, as_user):
    rep = make_user(role="sales")
    customer = make_customer(owner_id=rep.id)
    client = as_user(rep)
    answer = client.post(
        f"/api/v1/customers/{customer.id}/consents",
        json={"channel": "sms", "purpose": "marketing", "status": "granted", "source": "form"},
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["status"] == "granted"
    assert may_contact([customer.id], "sms", "marketing") == {customer.id}
    listed = client.get(f"/api/v1/customers/{customer.id}/consents").get_json()
    assert [(row["channel"], row["purpose"], row["source"]) for row in listed] == [
        ("sms", "marketing", "form")
    ]


def test_the_api_refuses_bad_input_with_the_field_named(make_user, make_customer, as_user):
    rep = make_user(role="sales")
    customer = make_customer(owner_id=rep.id)
    answer = as_user(rep).post(
        f"/api/v1/customers/{customer.id}/consents",
        json={"channel": "fax", "purpose": "marketing", "status": "granted"},
    )
    assert answer.status_code == 422
    assert "channel" in answer.get_json()["errors"]
    assert as_user(rep).get(f"/api/v1/customers/{customer.id}/consents").get_json() == []


def test_another_reps_customer_is_a_404(make_user, make_customer, as_user):
    rep, other = make_user(role="sales"), make_user(role="sales")
    customer = make_customer(owner_id=other.id)
    client = as_user(rep)
    assert client.get(f"/api/v1/customers/{customer.id}/consents").status_code == 404
    body = {"channel": "sms", "purpose": "service", "status": "withdrawn"}
    assert client.post(f"/api/v1/customers/{customer.id}/consents", json=body).status_code == 404
    assert may_contact([customer.id], "sms", "service") == {customer.id}


def test_the_consent_tab_shows_defaults_and_records_a_decision(make_user, make_customer, login_as):
    rep = make_user(role="sales")
    customer = make_customer(owner_id=rep.id)
    client = login_as(rep)
    page = client.get(f"/customers/{customer.id}?tab=consent")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Yes (default)" in html and "No decision recorded yet." in html
    posted = client.post(
        f"/customers/{customer.id}/consents",
        data={
            "csrf_token": token(client, f"/customers/{customer.id}?tab=consent"),
            "channel": "sms",
            "purpose": "marketing",
            "status": "granted",
            "note": "at the desk",
        },
    )
    assert posted.status_code == 303
    assert may_contact([customer.id], "sms", "marketing") == {customer.id}
    html = client.get(f"/customers/{customer.id}/tab/consent").get_data(as_text=True)
    assert "at the desk" in html and "Signed form" in html


def test_the_tab_refuses_a_bad_form_and_keeps_nothing(make_user, make_customer, login_as):
    rep = make_user(role="sales")
    customer = make_customer(owner_id=rep.id)
    client = login_as(rep)
    posted = client.post(
        f"/customers/{customer.id}/consents",
        data={
            "csrf_token": token(client, f"/customers/{customer.id}?tab=consent"),
            "channel": "sms",
            "purpose": "",
            "status": "granted",
        },
        follow_redirects=True,
    )
    assert posted.status_code == 200
    html = posted.get_data(as_text=True)
    assert "No decision recorded yet." in html and 'class="flash error"' in html
