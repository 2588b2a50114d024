"""Receivables through HTTP: the JSON API (plans, payments, reversal, in
the OpenAPI document) and the pages — the contract page's Receivables
section with its forms, the plan form's "spread evenly", the collection
list, the dashboard widget — in English and in Chinese."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.api import db
from core.testing.pages import english_words
from plugins.sales.models import Contract, Instalment, Payment
from plugins.sales.services.receivables.payments import today
from plugins.sales.services.receivables.plans import plan_of, set_plan

from .test_receivables import make_contract, pay, people, planned, three_instalments  # noqa: F401  (fixtures)


def token(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None, path
    return found.group(1)


def test_the_plan_api_shows_collected_open_and_state(people, planned, as_user):  # noqa: F811
    first, second, _third = plan_of(planned)
    pay(planned, first, "30000.00", people["rep"])
    pay(planned, second, "1000.00", people["rep"])
    got = as_user(people["rep"]).get(f"/api/v1/sales/receivable-plans?contract_id={planned.id}")
    assert got.status_code == 200
    assert got.json["collected"] == "31000.00" and got.json["amount"] == "100000.00"
    rows = [(i["number"], i["collected"], i["open"], i["state"]) for i in got.json["instalments"]]
    assert rows == [
        (1, "30000.00", "0.00", "paid"),
        (2, "1000.00", "29000.00", "overdue"),
        (3, "0.00", "40000.00", "overdue"),
    ]
    assert got.json["instalments"][1]["overdue"] is True
    hidden = as_user(people["west"]).get(f"/api/v1/sales/receivable-plans?contract_id={planned.id}")
    assert hidden.status_code == 404


def test_the_plan_api_refuses_a_bad_sum_and_a_stale_version(people, make_contract, as_user):  # noqa: F811
    contract = make_contract()
    api = as_user(people["rep"])
    url = f"/api/v1/sales/contracts/{contract.id}/receivable-plan"
    rows = three_instalments(contract)
    rows[0]["amount"] = "1.00"
    bad = api.put(url, json={"instalments": rows, "version": contract.version})
    assert bad.status_code == 422 and "instalments" in bad.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(Instalment)) == 0
    stale = api.put(url, json={"instalments": three_instalments(contract), "version": 0})
    assert stale.status_code == 409
    ok = api.put(
        url, json={"instalments": three_instalments(contract), "version": contract.version}
    )
    assert ok.status_code == 200 and [i["number"] for i in ok.json["instalments"]] == [1, 2, 3]


def test_the_payments_api_records_lists_and_reverses(people, planned, as_user):  # noqa: F811
    first = plan_of(planned)[0]
    api = as_user(people["rep"])
    body = {
        "contract_id": planned.id,
        "instalment_id": first.id,
        "amount": "30000.01",
        "paid_on": today().isoformat(),
        "method": "cash",
        "reference": "HSBC-77",
    }
    over = api.post("/api/v1/sales/payments", json=body)
    assert over.status_code == 422 and "30000.00" in over.json["errors"]["amount"][0]
    made = api.post("/api/v1/sales/payments", json={**body, "amount": "12000.00"})
    assert made.status_code == 201 and made.json["status"] == "confirmed"
    earlier = (today() - timedelta(days=7)).isoformat()
    api.post("/api/v1/sales/payments", json={**body, "amount": "1000.00", "paid_on": earlier})
    listed = api.get(f"/api/v1/sales/payments?contract_id={planned.id}&paid_to={earlier}")
    assert [p["amount"] for p in listed.json["items"]] == ["1000.00"]
    assert api.get(f"/api/v1/sales/payments?owner_id={people['rep'].id}").json["total"] == 2
    assert api.get("/api/v1/sales/payments?status=reversed").json["total"] == 0
    assert api.get("/api/v1/sales/payments?q=hsbc").json["total"] == 2
    assert api.get(f"/api/v1/sales/payments?q={planned.number}").json["total"] == 2
    assert api.get("/api/v1/sales/payments?q=nothing-like-it").json["total"] == 0
    assert (
        as_user(people["west"]).get(f"/api/v1/sales/payments/{made.json['id']}").status_code == 404
    )
    no_reason = api.post(f"/api/v1/sales/payments/{made.json['id']}/reverse", json={})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    back = api.post(f"/api/v1/sales/payments/{made.json['id']}/reverse", json={"reason": "Bounced"})
    assert back.status_code == 200 and back.json["status"] == "reversed"
    assert db.session.get(Contract, planned.id).collected == Decimal("1000.00")


def test_the_openapi_document_has_the_receivables(app, as_user, people):
    paths = as_user(people["admin"]).get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/sales/receivable-plans",
        "/api/v1/sales/contracts/{contract_id}/receivable-plan",
        "/api/v1/sales/payments",
        "/api/v1/sales/payments/{payment_id}",
        "/api/v1/sales/payments/{payment_id}/reverse",
        "/api/v1/sales/collections",
    ):
        assert path in paths, path


def test_the_contract_section_records_a_payment_and_shows_refusals(
    people,
    planned,
    login_as,  # noqa: F811
):
    first, second, _third = plan_of(planned)
    pay(planned, first, "30000.00", people["rep"])
    browser = login_as(people["rep"])
    section = f"/sales/contracts/{planned.id}/receivables"
    page = browser.get(section).text
    assert "Paid" in page and "Overdue" in page and "Record a payment" in page
    csrf = token(browser, section)
    form = {"csrf_token": csrf, "instalment_id": second.id, "paid_on": today().isoformat()}
    refused = browser.post(
        f"/sales/contracts/{planned.id}/payments", data={**form, "amount": "30000.50"}
    )
    assert refused.status_code == 422
    assert "only 30000.00 is open on instalment 2" in refused.text
    assert 'value="30000.50"' in refused.text  # what was typed stays
    done = browser.post(
        f"/sales/contracts/{planned.id}/payments",
        data={**form, "amount": "5000.00", "method": "alipay"},
    )
    assert done.status_code == 302
    page = browser.get(section).text
    assert "Partly paid" not in page  # overdue wins over partly paid once due
    assert "Alipay" in page and "Confirmed" in page and "Reverse the payment" in page
    payment = db.session.scalar(select(Payment).where(Payment.amount == Decimal("5000.00")))
    reversed_ = browser.post(
        f"/sales/payments/{payment.id}/reverse", data={"csrf_token": csrf, "reason": "Twice"}
    )
    assert reversed_.status_code == 302
    assert "Reversed" in browser.get(section).text


def test_the_plan_form_spreads_evenly_then_saves(people, make_contract, login_as):  # noqa: F811
    contract = make_contract(amount="100.00")
    browser = login_as(people["rep"])
    url = f"/sales/contracts/{contract.id}/receivable-plan"
    csrf = token(browser, url)
    first = contract.signed_date.isoformat()
    spread = browser.post(
        url,
        data={"csrf_token": csrf, "action": "spread", "n": "3", "first_due": first, "months": "1"},
    )
    assert spread.status_code == 200
    assert 'value="33.34"' in spread.text and spread.text.count('value="33.33"') == 2
    rows = {"csrf_token": csrf, "version": contract.version}
    for n, (due, amount) in enumerate(
        re.findall(
            r'name="row-\d+-due_date" type="date" value="([^"]*)"[^>]*>'
            r'.*?name="row-\d+-amount"[^>]*value="([^"]*)"',
            spread.text,
            re.S,
        )
    ):
        rows |= {
            f"row-{n}-due_date": due,
            f"row-{n}-amount": amount,
            f"row-{n}-id": "",
            f"row-{n}-note": "",
        }
    short = browser.post(url, data={**rows, "row-2-amount": "33.32"})
    assert short.status_code == 422 and "-0.01" in short.text
    saved = browser.post(url, data=rows)
    assert saved.status_code == 302
    assert [i.amount for i in plan_of(contract)] == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]


def test_the_collection_list_and_widget(people, planned, login_as, make_contract):  # noqa: F811
    pay(planned, plan_of(planned)[1], "10000.00", people["rep"])
    browser = login_as(people["rep"])
    page = browser.get("/sales/collections")
    assert page.status_code == 200
    assert planned.number in page.text and planned.customer.name in page.text
    assert "90" in page.text and "¥20,000.00" in page.text  # days overdue, open
    assert "¥90,000.00" in page.text  # open in total: 30,000 + (30,000 - 10,000) + 40,000
    widget = browser.get("/sales/widgets/collections")
    assert widget.status_code == 200 and planned.number in widget.text
    home = browser.get("/").text
    assert "Overdue collections" in home and "/sales/collections" in home


def test_the_zh_pages_show_no_english(make_user, make_contract, login_as):  # noqa: F811
    rep = make_user(role="sales", name="李销售", locale="zh_CN")
    contract = make_contract(owner=rep)
    contract.number = "合同-0001"
    contract.title = "全年茶叶供应"  # a direct visit of the section shows it
    contract.customer.name = "杭州茶叶公司"
    db.session.commit()
    rows = [{**row, "note": "首付款"} for row in three_instalments(contract)]
    set_plan(contract, rows, rep)
    first, second, _third = plan_of(contract)
    paid = pay(contract, first, "30000.00", rep, reference="一号")
    pay(contract, second, "100.00", rep, reference="二号")
    browser = login_as(rep)
    csrf = token(browser, f"/sales/contracts/{contract.id}/receivables")
    pages = [
        browser.get(url)
        for url in (
            f"/sales/contracts/{contract.id}/receivables",
            f"/sales/contracts/{contract.id}/receivable-plan",
            "/sales/collections",
            "/sales/widgets/collections",
        )
    ]
    pages.append(
        browser.post(
            f"/sales/contracts/{contract.id}/payments",
            data={"csrf_token": csrf, "instalment_id": second.id, "amount": "99999.00"},
        )
    )
    pages.append(browser.post(f"/sales/payments/{paid.id}/reverse", data={"csrf_token": csrf}))
    pages.append(
        browser.post(
            f"/sales/contracts/{contract.id}/receivable-plan",
            data={"csrf_token": csrf, "action": "spread", "n": "0", "first_due": "x"},
        )
    )
    for page in pages:
        assert page.status_code in (200, 422), page.request.path
        assert english_words(page.text) == set(), page.request.path
