"""Contracts through HTTP: the JSON API (with the OpenAPI document), the
pages (list, contract page, forms), the customer's Contracts tab, the
expiry reminder and the renewal — and what a rep may not see."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from core.api import db
from plugins.sales.models import Contract
from plugins.sales.services import pipelines as pipeline_service
from plugins.sales.services.contracts import create_contract, lifecycle
from plugins.sales.services.contracts.approvals import submit_contract

from .test_contracts import contact, customer, make_contract, make_quote, people  # noqa: F401  (fixtures)

STAGES = [
    {"name": "Proposal", "probability": 50},
    {"name": "Won", "probability": 100, "outcome": "won"},
    {"name": "Lost", "probability": 0, "outcome": "lost"},
]


def token(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None, path
    return found.group(1)


def stored(contract_id: int) -> Contract:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Contract, contract_id)


@pytest.fixture
def signed_contract(people, make_contract, contact):  # noqa: F811
    contract = make_contract(amount="5000.00", contact_id=contact.id)
    submit_contract(contract, people["rep"])
    lifecycle.sign(contract, {"signed_date": "2030-01-02", "contact_id": contact.id}, people["rep"])
    return contract


# -- the JSON API -------------------------------------------------------------


def test_the_api_walks_a_contract_through_its_life(people, customer, contact, as_user):  # noqa: F811
    api = as_user(people["rep"])
    body = {
        "title": "Tea for every office",
        "customer_id": customer.id,
        "amount": "5000.00",
        "currency": "CNY",
        "start_date": "2030-01-01",
        "end_date": "2030-12-31",
    }
    created = api.post("/api/v1/sales/contracts", json=body)
    assert created.status_code == 201, created.json
    cid = created.json["id"]
    assert created.json["status"] == "draft" and created.json["number"].startswith("HT-")
    patched = api.patch(
        f"/api/v1/sales/contracts/{cid}",
        json={"title": "Oolong", "version": created.json["version"]},
    )
    assert patched.status_code == 200 and patched.json["title"] == "Oolong"
    early = api.post(
        f"/api/v1/sales/contracts/{cid}/sign",
        json={"signed_date": "2030-01-02", "contact_id": contact.id},
    )
    assert early.status_code == 409 and "status" in early.json["errors"]
    assert api.post(f"/api/v1/sales/contracts/{cid}/submit").json["status"] == "approved"
    sign = api.post(
        f"/api/v1/sales/contracts/{cid}/sign",
        json={"signed_date": "2030-01-02", "contact_id": contact.id},
    )
    assert sign.status_code == 200 and sign.json["status"] == "signed"
    stale = api.patch(f"/api/v1/sales/contracts/{cid}", json={"title": "Quietly"})
    assert stale.status_code == 409 and "status" in stale.json["errors"]
    amended = api.post(
        f"/api/v1/sales/contracts/{cid}/amend",
        json={"changes": {"amount": "6000.00"}, "reason": "One more office"},
    )
    assert amended.status_code == 201, amended.json
    assert amended.json["changes"] == {"amount": ["5000.00", "6000.00"]}
    no_reason = api.post(f"/api/v1/sales/contracts/{cid}/amend", json={"changes": {"amount": "7"}})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    assert api.post(f"/api/v1/sales/contracts/{cid}/activate", json={}).json["status"] == "active"
    blank = api.post(f"/api/v1/sales/contracts/{cid}/terminate", json={"reason": "  "})
    assert blank.status_code == 422 and "reason" in blank.json["errors"]
    detail = api.get(f"/api/v1/sales/contracts/{cid}").json
    assert detail["status"] == "active" and detail["amount"] == "6000.00"
    assert [a["reason"] for a in detail["amendments"]] == ["One more office"]
    done = api.post(f"/api/v1/sales/contracts/{cid}/complete", json={})
    assert done.status_code == 200 and done.json["status"] == "completed"


def test_the_api_names_bad_fields_and_saves_nothing(people, customer, as_user):  # noqa: F811
    api = as_user(people["rep"])
    bad = api.post(
        "/api/v1/sales/contracts",
        json={
            "title": "T",
            "customer_id": customer.id,
            "amount": "0",
            "currency": "XXY",
            "start_date": "2030-02-01",
            "end_date": "2030-01-01",
        },
    )
    assert bad.status_code == 422
    assert {"currency"} <= set(bad.json["errors"])
    wrong = api.post(
        "/api/v1/sales/contracts",
        json={
            "title": "T",
            "customer_id": customer.id,
            "amount": "0",
            "start_date": "2030-02-01",
            "end_date": "2030-01-01",
        },
    )
    assert wrong.status_code == 422 and {"amount", "end_date"} <= set(wrong.json["errors"])
    assert db.session.scalar(select(func.count(Contract.id))) == 0


def test_the_contract_endpoints_are_in_the_openapi_document(people, as_user):
    doc = as_user(people["admin"]).get("/api/v1/openapi.json").json
    paths = doc["paths"]
    for path, method in [
        ("/api/v1/sales/contracts", "get"),
        ("/api/v1/sales/contracts", "post"),
        ("/api/v1/sales/contracts/export", "get"),
        ("/api/v1/sales/contracts/{contract_id}", "patch"),
        ("/api/v1/sales/contracts/{contract_id}/submit", "post"),
        ("/api/v1/sales/contracts/{contract_id}/sign", "post"),
        ("/api/v1/sales/contracts/{contract_id}/activate", "post"),
        ("/api/v1/sales/contracts/{contract_id}/complete", "post"),
        ("/api/v1/sales/contracts/{contract_id}/terminate", "post"),
        ("/api/v1/sales/contracts/{contract_id}/amend", "post"),
        ("/api/v1/sales/quotes/{quote_id}/contract", "post"),
    ]:
        assert method in paths[path], (path, method)
    names = {p["name"] for p in paths["/api/v1/sales/contracts"]["get"]["parameters"]}
    assert {"status", "owner_id", "customer_id", "expiring_within", "sort", "page"} <= names


def test_the_list_filters_by_status_customer_and_ending_within_days(
    people,
    make_contract,
    signed_contract,
    as_user,
    make_customer,  # noqa: F811
):
    draft = make_contract(title="Draft one")
    api = as_user(people["rep"])
    by_status = api.get("/api/v1/sales/contracts?status=signed").json["items"]
    assert [c["id"] for c in by_status] == [signed_contract.id]
    ends = (date(2030, 12, 31) - lifecycle.today()).days  # the signed one ends then
    within = api.get(f"/api/v1/sales/contracts?expiring_within={ends}").json["items"]
    assert [c["id"] for c in within] == [signed_contract.id]
    before = api.get(f"/api/v1/sales/contracts?expiring_within={ends - 1}").json["items"]
    assert before == []
    mine = api.get(f"/api/v1/sales/contracts?customer_id={draft.customer_id}").json["items"]
    assert {c["id"] for c in mine} == {draft.id, signed_contract.id}
    sorted_ = api.get("/api/v1/sales/contracts?sort=-amount").json["items"]
    assert [c["id"] for c in sorted_] == [draft.id, signed_contract.id]
    csv = api.get("/api/v1/sales/contracts/export?status=draft")
    assert (
        csv.status_code == 200
        and "Draft one" in csv.text
        and signed_contract.number not in csv.text
    )


# -- what a rep may not see ---------------------------------------------------


def test_contracts_leak_nothing_across_scopes(scope_leak_check, make_customer):
    def create(owner):
        customer = make_customer(name=f"Client of {owner.name}", owner_id=owner.id)
        return create_contract(
            {
                "title": f"Deal of {owner.email}",
                "customer_id": customer.id,
                "amount": "10.00",
                "owner_id": owner.id,
            },
            None,
        )

    scope_leak_check(
        create,
        lambda contract: contract.number,
        api_list="/api/v1/sales/contracts",
        api_detail="/api/v1/sales/contracts/{id}",
        pages=("/sales/contracts/{id}", "/sales/contracts"),
        permissions=["sales.contract.read", "customer.read"],
    )


def test_a_rep_cannot_see_the_contract_of_another_reps_private_customer(
    people,
    make_contract,
    customer,
    as_user,
    login_as,  # noqa: F811
):
    mine = make_contract(title="Mine for now")
    customer.owner_id = people["other"].id  # the customer moved to another rep's private list
    customer.team_id = people["other"].team_id
    db.session.commit()
    api = as_user(people["rep"])
    assert api.get("/api/v1/sales/contracts").json["items"] == []
    assert api.get(f"/api/v1/sales/contracts/{mine.id}").status_code == 404
    assert mine.number not in api.get("/api/v1/sales/contracts/export").text
    assert api.post(f"/api/v1/sales/contracts/{mine.id}/submit").status_code == 404
    browser = login_as(people["rep"])
    assert browser.get(f"/sales/contracts/{mine.id}").status_code == 404
    assert mine.number not in browser.get("/sales/contracts").text
    assert browser.get(f"/sales/customers/{customer.id}/contracts").status_code == 404
    other = login_as(people["other"])
    assert "Contracts" not in other.get(f"/customers/{customer.id}").text.split("<main")[-1]
    assert mine.number not in other.get(f"/sales/customers/{customer.id}/contracts").text


# -- the pages ----------------------------------------------------------------


def test_the_customer_page_lists_a_contracts_tab_when_there_is_one(
    people,
    customer,
    make_contract,
    login_as,  # noqa: F811
):
    browser = login_as(people["rep"])
    assert "?tab=contracts" not in browser.get(f"/customers/{customer.id}").text
    contract = make_contract()
    assert "?tab=contracts" in browser.get(f"/customers/{customer.id}").text
    tab = browser.get(f"/sales/customers/{customer.id}/contracts")
    assert tab.status_code == 200 and contract.number in tab.text and "Draft" in tab.text


def test_a_new_contract_from_the_customer_shows_errors_by_field_then_saves(
    people,
    customer,
    login_as,  # noqa: F811
):
    browser = login_as(people["rep"])
    path = f"/sales/contracts/new?customer_id={customer.id}"
    form = {
        "csrf_token": token(browser, path),
        "title": "Tea",
        "amount": "100.00",
        "currency": "CNY",
        "start_date": "2030-05-01",
        "end_date": "2030-04-01",
    }
    refused = browser.post(path, data=form)
    assert refused.status_code == 422 and 'id="e-end_date"' in refused.text
    assert 'value="Tea"' in refused.text
    assert db.session.scalar(select(func.count(Contract.id))) == 0
    saved = browser.post(path, data={**form, "end_date": "2031-04-30"})
    assert saved.status_code == 302
    contract = db.session.scalar(select(Contract))
    assert saved.headers["Location"].endswith(f"/sales/contracts/{contract.id}")


def test_a_new_contract_from_a_deal_takes_its_values(people, customer, login_as):  # noqa: F811
    from plugins.sales.services.deals import create_deal

    pipeline = pipeline_service.create_pipeline({"name": "New", "stages": STAGES}, None)
    deal = create_deal(
        {
            "title": "Big tea",
            "customer_id": customer.id,
            "pipeline_id": pipeline.id,
            "amount": "777.00",
        },
        people["rep"],
    )
    browser = login_as(people["rep"])
    page = browser.get(f"/sales/contracts/new?deal_id={deal.id}")
    assert (
        page.status_code == 200 and 'value="Big tea"' in page.text and 'value="777.00"' in page.text
    )
    form = {
        "csrf_token": token(browser, f"/sales/contracts/new?deal_id={deal.id}"),
        "title": "Big tea",
        "amount": "777.00",
        "currency": "CNY",
        "deal_id": str(deal.id),
    }
    assert browser.post(f"/sales/contracts/new?deal_id={deal.id}", data=form).status_code == 302
    assert db.session.scalar(select(Contract.deal_id)) == deal.id


def test_the_contract_page_offers_the_moves_its_status_allows(
    people,
    make_contract,
    contact,
    login_as,  # noqa: F811
):
    contract = make_contract(amount="500.00")
    browser = login_as(people["rep"])
    page = browser.get(f"/sales/contracts/{contract.id}").text
    assert "Submit for approval" in page and f"/sales/contracts/{contract.id}/edit" in page
    assert f"/sales/contracts/{contract.id}/receivables" in page  # the htmx sections
    assert f"/sales/contracts/{contract.id}/invoices" in page and 'hx-trigger="load"' in page
    assert "/sign" not in page
    csrf = token(browser, f"/sales/contracts/{contract.id}")
    browser.post(f"/sales/contracts/{contract.id}/submit", data={"csrf_token": csrf})
    page = browser.get(f"/sales/contracts/{contract.id}").text
    assert "No approval needed" in page and f"/sales/contracts/{contract.id}/sign" in page
    browser.post(
        f"/sales/contracts/{contract.id}/sign",
        data={"csrf_token": csrf, "signed_date": "2030-01-02", "contact_id": contact.id},
    )
    assert stored(contract.id).status == "signed"
    page = browser.get(f"/sales/contracts/{contract.id}").text
    assert f"/sales/contracts/{contract.id}/amend" in page and "/terminate" in page
    assert f"/sales/contracts/{contract.id}/edit" not in page


def test_the_amend_and_terminate_forms_need_a_reason(
    people,
    signed_contract,
    login_as,  # noqa: F811
):
    browser = login_as(people["rep"])
    cid = signed_contract.id
    csrf = token(browser, f"/sales/contracts/{cid}/amend")
    form = {
        "csrf_token": csrf,
        "version": stored(cid).version,
        "title": signed_contract.title,
        "amount": "5500.00",
        "start_date": "2030-01-01",
        "end_date": "2030-12-31",
        "terms": "",
        "reason": "",
    }
    refused = browser.post(f"/sales/contracts/{cid}/amend", data=form)
    assert refused.status_code == 422 and 'id="e-reason"' in refused.text
    assert stored(cid).amendment == 0
    saved = browser.post(f"/sales/contracts/{cid}/amend", data={**form, "reason": "Extra box"})
    assert saved.status_code == 302
    contract = stored(cid)
    assert contract.amendment == 1 and str(contract.amount) == "5500.00"
    page = browser.get(f"/sales/contracts/{cid}").text
    assert "Extra box" in page and "5000.00 → 5500.00" in page
    ended = browser.post(
        f"/sales/contracts/{cid}/terminate",
        data={"csrf_token": csrf, "version": contract.version, "reason": ""},
    )
    assert ended.status_code == 422 and 'id="e-reason"' in ended.text
    ended = browser.post(
        f"/sales/contracts/{cid}/terminate",
        data={"csrf_token": csrf, "version": contract.version, "reason": "Closed down"},
    )
    assert ended.status_code == 302 and stored(cid).status == "terminated"


def test_the_list_page_filters_and_links_the_export(
    people,
    make_contract,
    signed_contract,
    login_as,  # noqa: F811
):
    draft = make_contract(title="Draft one")
    browser = login_as(people["rep"])
    page = browser.get("/sales/contracts?status=draft").text
    assert draft.number in page and signed_contract.number not in page
    assert "/api/v1/sales/contracts/export?status=draft" in page
    assert signed_contract.number in browser.get("/sales/contracts").text
