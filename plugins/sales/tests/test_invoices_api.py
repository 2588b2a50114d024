"""``/api/v1/sales/invoices``, a contract's ``invoice-summary`` and the
finance role: refusals by field over HTTP, the figures side by side, what a
rep, a manager and finance each see, and the OpenAPI document."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.api import Team, db
from plugins.sales.models import Contract, Invoice
from plugins.sales.services.invoices.invoices import issue_invoice, request_invoice
from plugins.sales.services.invoices.summary import summaries

from .test_invoices_helpers import billed, finance, make_contract, make_payment  # noqa: F401  (fixtures)


@pytest.fixture
def team(app):
    east = Team(name="East")
    db.session.add(east)
    db.session.commit()
    return east


@pytest.fixture
def rep(make_user, team):
    return make_user(role="sales", team=team, name="Rita Rep")


def test_request_issue_cancel_over_http(rep, finance, make_contract, billed, as_user):
    contract = make_contract(rep, amount="5000.00")
    billed(contract.customer_id)
    api = as_user(rep)
    made = api.post(
        "/api/v1/sales/invoices",
        json={"contract_id": contract.id, "kind": "vat_special", "amount": "1200.00"},
    )
    assert made.status_code == 201, made.json
    assert made.json["status"] == "requested" and made.json["amount"] == "1200.00"
    over = api.post(
        "/api/v1/sales/invoices", json={"contract_id": contract.id, "amount": "3800.01"}
    )
    assert over.status_code == 409 and list(over.json["errors"]) == ["amount"]
    number = api.post(
        "/api/v1/sales/invoices", json={"contract_id": contract.id, "amount": 12}
    )  # money travels as a string
    assert number.status_code == 422 and list(number.json["errors"]) == ["amount"]
    url = f"/api/v1/sales/invoices/{made.json['id']}"
    assert api.post(f"{url}/issue", json={"number": "1"}).status_code == 403
    fin = as_user(finance)
    no_number = fin.post(f"{url}/issue", json={})
    assert no_number.status_code == 422 and list(no_number.json["errors"]) == ["number"]
    issued = fin.post(f"{url}/issue", json={"number": "03100200011", "version": 1})
    assert issued.status_code == 200, issued.json
    assert issued.json["number"] == "03100200011" and issued.json["issued_on"]
    summary = api.get(f"/api/v1/sales/contracts/{contract.id}/invoice-summary").json
    assert (summary["contracted"], summary["invoiced"], summary["left_to_invoice"]) == (
        "5000.00",
        "1200.00",
        "3800.00",
    )
    assert api.post(f"{url}/cancel", json={"reason": "错"}).status_code == 403  # issued
    no_reason = fin.post(f"{url}/cancel", json={})
    assert no_reason.status_code == 422 and list(no_reason.json["errors"]) == ["reason"]
    cancelled = fin.post(f"{url}/cancel", json={"reason": "开错抬头"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    db.session.expire_all()
    assert db.session.get(Contract, contract.id).invoiced == Decimal("0.00")


def test_the_missing_billing_details_are_named_over_http(rep, make_contract, billed, as_user):
    contract = make_contract(rep)
    billed(contract.customer_id, bank_name=None, bank_account=None)
    refused = as_user(rep).post(
        "/api/v1/sales/invoices",
        json={"contract_id": contract.id, "kind": "vat_special", "amount": "1"},
    )
    assert refused.status_code == 409
    assert set(refused.json["errors"]) == {"bank_name", "bank_account"}


def test_summary_figures(rep, finance, make_contract, make_payment, billed, as_user):
    """contracted 10000; issued 3000 + 2000 (5000), requested 1500, collected
    6500 → collected not invoiced 1500, left to invoice 10000 − 5000 − 1500 = 3500."""
    contract = make_contract(rep, amount="10000.00")
    billed(contract.customer_id)
    for amount, number in (("3000", "N-1"), ("2000", "N-2")):
        issue_invoice(
            request_invoice({"contract_id": contract.id, "amount": amount}, rep),
            {"number": number},
            finance,
        )
    request_invoice({"contract_id": contract.id, "amount": "1500"}, rep)
    make_payment(contract, "4000")
    make_payment(contract, "2500")
    got = as_user(rep).get(f"/api/v1/sales/contracts/{contract.id}/invoice-summary").json
    assert got == {
        "contract_id": contract.id,
        "number": contract.number,
        "currency": "CNY",
        "contracted": "10000.00",
        "invoiced": "5000.00",
        "collected": "6500.00",
        "requested": "1500.00",
        "invoiced_not_collected": "0.00",
        "collected_not_invoiced": "1500.00",
        "left_to_invoice": "3500.00",
    }
    second = make_contract(rep, amount="800.00", customer=contract.customer)
    billed(second.customer_id)
    issue_invoice(
        request_invoice({"contract_id": second.id, "amount": "800"}, rep),
        {"number": "N-3"},
        finance,
    )
    rows = {row["contract_id"]: row for row in summaries(rep)}
    assert rows[second.id]["invoiced_not_collected"] == Decimal("800.00")
    assert set(rows) == {contract.id, second.id}


def test_a_rep_sees_neither_the_invoices_nor_the_summary_of_another_reps_customer(
    rep, make_user, make_contract, billed, as_user, finance
):
    other = make_user(role="sales")
    theirs = make_contract(other)
    billed(theirs.customer_id)
    their_invoice = request_invoice({"contract_id": theirs.id, "amount": "10"}, other)
    mine = make_contract(rep)
    billed(mine.customer_id)
    my_invoice = request_invoice({"contract_id": mine.id, "amount": "10"}, rep)
    api = as_user(rep)
    listed = [i["id"] for i in api.get("/api/v1/sales/invoices").json["items"]]
    assert listed == [my_invoice.id]
    assert api.get(f"/api/v1/sales/invoices/{their_invoice.id}").status_code == 404
    assert api.get(f"/api/v1/sales/contracts/{theirs.id}/invoice-summary").status_code == 404
    assert (
        api.post(
            f"/api/v1/sales/invoices/{their_invoice.id}/cancel", json={"reason": "x"}
        ).status_code
        == 404
    )
    assert [r["contract_id"] for r in summaries(rep)] == [mine.id]
    # finance sees every customer's, the queue of requested ones first
    queue = as_user(finance).get("/api/v1/sales/invoices?status=requested").json["items"]
    assert {i["id"] for i in queue} == {my_invoice.id, their_invoice.id}


def test_a_manager_sees_the_teams_invoices_only(
    rep, team, make_user, make_contract, billed, as_user
):
    manager = make_user(role="manager", team=team)
    outsider = make_user(role="sales")
    mine = make_contract(rep)
    billed(mine.customer_id)
    ours = request_invoice({"contract_id": mine.id, "amount": "10"}, rep)
    theirs = make_contract(outsider)
    billed(theirs.customer_id)
    request_invoice({"contract_id": theirs.id, "amount": "10"}, outsider)
    listed = as_user(manager).get("/api/v1/sales/invoices").json["items"]
    assert [i["id"] for i in listed] == [ours.id]


def test_the_list_filters(rep, finance, make_contract, billed, as_user):
    contract = make_contract(rep)
    billed(contract.customer_id)
    receipt = request_invoice({"contract_id": contract.id, "amount": "1", "kind": "receipt"}, rep)
    vat = request_invoice({"contract_id": contract.id, "amount": "2"}, rep)
    issue_invoice(vat, {"number": "M-1", "issued_on": "2026-01-15"}, finance)
    api = as_user(rep)

    def ids(query: str) -> list[int]:
        got = api.get(f"/api/v1/sales/invoices?{query}")
        assert got.status_code == 200, got.json
        return [i["id"] for i in got.json["items"]]

    assert ids("kind=receipt") == [receipt.id]
    assert ids("status=issued") == [vat.id]
    assert ids("month=2026-01") == [vat.id]
    assert ids("month=2026-02") == []
    assert ids(f"customer_id={contract.customer_id}&sort=amount") == [receipt.id, vat.id]
    assert ids("q=M-1") == [vat.id]
    assert api.get("/api/v1/sales/invoices?month=2026-13").status_code == 422


def test_finance_issues_but_does_not_edit_contracts(finance, rep, make_contract, billed, as_user):
    assert finance.role.name == "finance" and finance.role.scope.value == "all"
    assert finance.can("sales.invoice.issue") and finance.can("sales.contract.read")
    assert finance.can("sales.payment.read")
    assert not finance.can("sales.contract.write") and not finance.can("sales.invoice.write")
    assert not rep.can("sales.invoice.issue")
    contract = make_contract(rep)
    billed(contract.customer_id)
    invoice = request_invoice({"contract_id": contract.id, "amount": "10"}, rep)
    fin = as_user(finance)
    changed = fin.patch(f"/api/v1/sales/contracts/{contract.id}", json={"title": "改"})
    assert changed.status_code == 403
    assert (
        fin.post(
            "/api/v1/sales/invoices", json={"contract_id": contract.id, "amount": "1"}
        ).status_code
        == 403
    )
    issued = fin.post(f"/api/v1/sales/invoices/{invoice.id}/issue", json={"number": "F-1"})
    assert issued.status_code == 200
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).issued_by_id == finance.id


def test_the_invoice_endpoints_are_in_the_openapi_document(make_user, as_user):
    doc = as_user(make_user(role="admin")).get("/api/v1/openapi.json").json
    paths = doc["paths"]
    for path, method in [
        ("/api/v1/sales/invoices", "get"),
        ("/api/v1/sales/invoices", "post"),
        ("/api/v1/sales/invoices/{invoice_id}", "get"),
        ("/api/v1/sales/invoices/{invoice_id}/issue", "post"),
        ("/api/v1/sales/invoices/{invoice_id}/cancel", "post"),
        ("/api/v1/sales/customers/{customer_id}/billing-profile", "get"),
        ("/api/v1/sales/customers/{customer_id}/billing-profile", "put"),
        ("/api/v1/sales/contracts/{contract_id}/invoice-summary", "get"),
    ]:
        operation = paths[path][method]
        if method in ("post", "put"):
            assert operation["requestBody"]["required"] is True, (path, method)
    names = {p["name"] for p in paths["/api/v1/sales/invoices"]["get"]["parameters"]}
    assert {"status", "kind", "customer_id", "contract_id", "month", "sort", "page"} <= names
