"""The invoice pages: the contract page's invoices section, the request form
refusing by field, finance's queue and issue form, the scoping of every
page, and the pages in Chinese without English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import db
from core.testing.pages import english_words
from plugins.sales.models import Contract, Invoice
from plugins.sales.services.invoices.invoices import issue_invoice, request_invoice

from .test_invoices_helpers import billed, csrf, finance, make_contract, make_payment  # noqa: F401


def main_part(html: str) -> str:
    """A page's own content (the menu around it lists other areas' pages)."""
    if "<main" not in html:
        return html  # a fragment
    return html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]


@pytest.fixture
def rep(make_user):
    return make_user(role="sales", name="Rita Rep")


def test_the_contract_section_shows_the_figures_and_the_invoices(
    rep, make_contract, make_payment, billed, login_as
):
    contract = make_contract(rep, amount="10000.00")
    billed(contract.customer_id)
    request_invoice({"contract_id": contract.id, "amount": "1234.00"}, rep)
    make_payment(contract, "2000")
    section = login_as(rep).get(f"/sales/contracts/{contract.id}/invoices")
    assert section.status_code == 200
    assert "<html" not in section.text  # a fragment
    assert 'max="10000.00" value="2000.00"' in section.text  # collected against contracted
    assert "1,234.00" in section.text and "Requested" in section.text
    assert 'name="amount"' in section.text  # the request form


def test_the_request_form_names_the_refused_fields(rep, make_contract, billed, login_as):
    contract = make_contract(rep, amount="100.00")
    billed(contract.customer_id, bank_account=None)
    browser = login_as(rep)
    token = csrf(browser, f"/sales/contracts/{contract.id}/invoices")
    url = f"/sales/contracts/{contract.id}/invoices"
    lacking = browser.post(url, data={"kind": "vat_special", "amount": "10", "csrf_token": token})
    assert lacking.status_code == 409
    assert 'id="e-bank_account"' in lacking.text and 'id="e-address"' not in lacking.text
    over = browser.post(url, data={"kind": "vat_normal", "amount": "100.01", "csrf_token": token})
    assert over.status_code == 409 and 'id="e-amount"' in over.text
    assert 'value="100.01"' in over.text  # the input kept
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0
    made = browser.post(url, data={"kind": "vat_normal", "amount": "100", "csrf_token": token})
    assert made.status_code == 302
    assert db.session.scalar(select(Invoice.amount)) == Decimal("100.00")


def test_finance_works_the_queue(rep, finance, make_contract, billed, login_as):
    contract = make_contract(rep)
    billed(contract.customer_id)
    invoice = request_invoice({"contract_id": contract.id, "amount": "88"}, rep)
    browser = login_as(finance)
    queue = browser.get("/sales/invoices")
    assert queue.status_code == 200
    assert f"/sales/invoices/{invoice.id}" in queue.text  # requested: in the queue
    page = browser.get(f"/sales/invoices/{invoice.id}")
    assert 'name="number"' in page.text
    token = csrf(browser, f"/sales/invoices/{invoice.id}")
    url = f"/sales/invoices/{invoice.id}/issue"
    blank = browser.post(url, data={"number": "", "csrf_token": token, "version": "1"})
    assert blank.status_code == 422 and 'id="e-number"' in blank.text
    done = browser.post(url, data={"number": "9900", "csrf_token": token, "version": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contract, contract.id).invoiced == Decimal("88.00")
    assert f"/sales/invoices/{invoice.id}" not in browser.get("/sales/invoices").text
    issued = browser.get(
        "/sales/invoices?status=issued&month="
        + db.session.get(Invoice, invoice.id).issued_on.strftime("%Y-%m")
    ).text
    assert "9900" in issued
    wrong = browser.get("/sales/invoices?status=issued&month=2026-13")
    assert wrong.status_code == 200 and 'id="e-month"' in wrong.text and "9900" in wrong.text


def test_a_rep_has_no_issue_form_and_cannot_issue(rep, make_contract, billed, login_as):
    contract = make_contract(rep)
    billed(contract.customer_id)
    invoice = request_invoice({"contract_id": contract.id, "amount": "5"}, rep)
    browser = login_as(rep)
    page = browser.get(f"/sales/invoices/{invoice.id}")
    assert page.status_code == 200 and 'name="number"' not in page.text
    token = csrf(browser, f"/sales/invoices/{invoice.id}")  # the cancel form's
    refused = browser.post(
        f"/sales/invoices/{invoice.id}/issue", data={"number": "1", "csrf_token": token}
    )
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status == "requested"


def test_no_page_shows_another_reps_private_customers_invoices(
    rep, make_user, make_contract, billed, login_as
):
    other = make_user(role="sales")
    theirs = make_contract(other)
    billed(theirs.customer_id, title="他人的客户抬头")
    invoice = request_invoice({"contract_id": theirs.id, "amount": "10"}, other)
    browser = login_as(rep)
    assert browser.get(f"/sales/invoices/{invoice.id}").status_code == 404
    assert browser.get(f"/sales/contracts/{theirs.id}/invoices").status_code == 404
    listed = browser.get("/sales/invoices?status=all")
    assert listed.status_code == 200 and "他人的客户抬头" not in listed.text
    assert f"/sales/invoices/{invoice.id}" not in listed.text
    assert browser.get(f"/sales/invoices/{invoice.id}").status_code == 404
    # their own page shows it
    assert "他人的客户抬头" in login_as(other).get(f"/sales/invoices/{invoice.id}").text


def test_the_zh_pages_show_no_english(make_user, make_customer, make_contract, billed, login_as):
    boss = make_user(role="manager", name="李主管", locale="zh_CN")
    customer = make_customer(name="杭州茶叶公司", owner_id=boss.id)
    contract = make_contract(boss, customer=customer, number="合同-0001")
    billed(customer.id)
    invoice = request_invoice({"contract_id": contract.id, "amount": "10"}, boss)
    done = request_invoice({"contract_id": contract.id, "amount": "20"}, boss)
    issue_invoice(done, {"number": "一号"}, boss)
    browser = login_as(boss)
    for url in (
        f"/sales/contracts/{contract.id}/invoices",
        "/sales/invoices",
        "/sales/invoices?status=all",
        f"/sales/invoices/{invoice.id}",
        f"/sales/invoices/{done.id}",
        f"/customers/{customer.id}/tab/billing",  # the tab (the page around it: core's)
    ):
        page = browser.get(url)
        assert page.status_code == 200, url
        assert english_words(main_part(page.text)) == set(), url
