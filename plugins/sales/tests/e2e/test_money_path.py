"""Issue 24's money path in a real browser, in English and in Chinese: deal →
quote at 20 % off → the manager approves it → sent and accepted → contract
→ the manager approves it → signed 70 days ago → three instalments, the
first due 40 days ago → a partial payment on it → the collection list shows
it overdue with its open amount → an invoice for the money collected,
requested by the rep and issued by finance → the rep's commission on what
was collected.

The rep, the manager and finance each work in a browser of their own,
clicking and typing in the pages; only what lies outside the path is set up
through the services (:mod:`.money_path_world`). Each step asserts what the
user sees and, where it proves the effect, the database. In Chinese, no page
on the path shows an English word.

The amounts, by hand: 30 tea sets at 1,000.00 = 30,000.00 list; 20 % off
→ 24,000.00 (no tax), an effective discount of 20 % (> 15 %: approval);
three instalments of 8,000.00; 5,000.00 paid on the first → 3,000.00 open;
an invoice of 5,000.00; commission 3 % of 5,000.00 = 150.00.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from babel.dates import format_date
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.api import ApprovalRequest, db
from core.testing.pages import english_words, untranslated
from plugins.sales.models import Contract, Instalment, Invoice, Payment, Quote
from plugins.sales.services.receivables.payments import today

from .money_path_world import PASSWORD, TEXT, World, build_world, cny

D = Decimal
INVOICE_NUMBER = "04400123"
#: what a Chinese page shows as it is: the currency's ISO code, the time zone,
#: and the quote's language choice, each language named in itself
CODES = {"CNY", "UTC", "English"}


@pytest.fixture
def browsers(page: Page, new_context):
    """``open_as(email, base)``: a page signed in as ``email`` in a browser
    of its own (``into``: the test's ``page``, the rep's), with the
    parametrization's language (the browser's own controls, such as the date
    pickers, speak it too); pytest-playwright closes them."""

    def open_as(email: str, base: str, into: Page | None = None) -> Page:
        if into is None:
            context = new_context()
            context.set_default_timeout(10_000)
            into = context.new_page()
        into.goto(f"{base}/login")
        into.locator("input[name=email]").fill(email)
        into.locator("input[name=password]").fill(PASSWORD)
        into.locator("form button[type=submit]").first.click()
        into.wait_for_url(f"{base}/")
        return into

    return open_as


def fresh(model, record_id: int):
    """The record as the database has it now (the app's threads wrote it)."""
    db.session.rollback()
    return db.session.get(model, record_id)


def done_reading() -> None:
    """End the test's read transaction: SQLite's writers must not wait for it."""
    db.session.rollback()


def no_english(page: Page, w: World, *data: str) -> None:
    """In Chinese, the page shows no English word (records' numbers aside)
    and no catalogue message untranslated; what a page shows is kept in
    ``w.english`` (by URL) and asserted at the end, so one run lists every page."""
    if w.locale != "zh_CN":
        return
    html = page.content()
    allowed = set().union(*(english_words(d) for d in data)) if data else set()
    words = english_words(html) - allowed - CODES
    messages = untranslated(html, "zh_CN")
    if words or messages:
        path = re.sub(r"^https?://[^/]+", "", page.url)
        w.english.setdefault(path, set()).update(words, messages)


def badge(page: Page, scope: str = "h1, .page-head"):
    return page.locator(scope).locator(".badge").first


def wait_fragments(page: Page) -> None:
    """The contract page's receivables and invoices sections have loaded."""
    expect(page.locator("#receivables table").first).to_be_visible()
    expect(page.locator("#invoices table").first).to_be_visible()


def approve(manager: Page, base: str, title_part: str, w: World) -> None:
    """The manager opens the approvals inbox, the request, and approves it."""
    manager.goto(f"{base}/approvals/")
    no_english(manager, w, title_part)
    manager.locator("table a", has_text=title_part).first.click()
    no_english(manager, w, title_part)
    decision = manager.locator("form[action$='/approve']")
    decision.locator("textarea[name=comment]").fill("OK" if w.locale == "en" else "同意")
    decision.locator("button[type=submit]:not([formaction])").click()
    expect(manager.locator("h1 .badge")).to_have_text(TEXT[w.locale]["approved"])


def approval_status(record_type: str, record_id: int) -> str:
    db.session.rollback()
    status = db.session.scalar(
        select(ApprovalRequest.status)
        .where(ApprovalRequest.record_type == record_type, ApprovalRequest.record_id == record_id)
        .order_by(ApprovalRequest.id.desc())
        .limit(1)
    )
    done_reading()
    return status


@pytest.mark.parametrize(
    "locale",
    [
        pytest.param("en", marks=pytest.mark.browser_context_args(locale="en-US")),
        pytest.param("zh_CN", marks=pytest.mark.browser_context_args(locale="zh-CN")),
    ],
)
def test_the_money_path_from_a_deal_to_commission_on_collected_money(
    page: Page, live_server, browsers, make_user, make_customer, make_contact, shoot, locale
):
    t, base = TEXT[locale], live_server
    w = build_world(locale, make_user, make_customer, make_contact)
    day = today()
    signed_on, first_due = day - timedelta(days=70), day - timedelta(days=40)
    rep = browsers(w.rep_email, base, into=page)
    manager = browsers(w.manager_email, base)
    finance = browsers(w.finance_email, base)

    # -- the rep: a quote from the deal's page, 20 % off, submitted for approval
    rep.goto(f"{base}/sales/deals/{w.deal_id}")
    no_english(rep, w)
    rep.locator(f"a[href*='/sales/quotes/new?deal_id={w.deal_id}']").click()
    no_english(rep, w)
    expect(rep.locator("#line-0-quantity")).to_have_value(re.compile(r"^30(\.0+)?$"))
    rep.locator("#f-discount_percent").fill("20")
    rep.locator("form:has(#f-discount_percent) button[type=submit]").click()
    expect(rep).to_have_url(re.compile(r"/sales/quotes/\d+$"))
    quote_id = int(rep.url.rsplit("/", 1)[1])
    number = fresh(Quote, quote_id).number
    done_reading()
    expect(badge(rep)).to_have_text(t["draft"])
    totals = rep.locator("#lines tfoot")
    expect(totals).to_contain_text(cny(locale, "30,000.00"))  # the list value
    expect(totals).to_contain_text(cny(locale, "24,000.00"))  # the grand total
    expect(totals.locator("tr").last).to_contain_text(t["percent"])  # effective discount
    no_english(rep, w, number)
    rep.locator("form[action$='/approval'] button[type=submit]").click()
    expect(rep.locator("#approval .badge")).to_have_text(t["waiting"])
    assert approval_status("sales.quote", quote_id) == "pending"
    quote = fresh(Quote, quote_id)
    assert (quote.status, quote.total, quote.effective_discount_percent) == (
        "draft",
        D("24000.00"),
        D("20.00"),
    )
    done_reading()
    expect(rep.locator("form[action$='/send']")).to_have_count(0)  # locked while waiting

    # -- the manager approves the quote from the inbox
    approve(manager, base, number, w)
    assert approval_status("sales.quote", quote_id) == "approved"

    # -- the rep sends it; the customer accepts, and a contract is made from it
    rep.reload()
    expect(rep.locator("#approval .badge")).to_have_text(t["approved"])
    rep.locator("form[action$='/send'] button[type=submit]").click()
    expect(badge(rep)).to_have_text(t["sent"])
    no_english(rep, w, number)
    expect(rep.locator("#f-create_contract")).to_be_checked()
    rep.locator("form[action$='/accept'] button[type=submit]").click()
    expect(badge(rep)).to_have_text(t["accepted"])
    assert fresh(Quote, quote_id).status == "accepted"
    contract_id = db.session.scalar(select(Contract.id).where(Contract.quote_id == quote_id))
    contract_number = fresh(Contract, contract_id).number
    done_reading()
    no_english(rep, w, number, contract_number)
    shoot(rep, f"money-path-quote-accepted-{locale}")
    rep.locator("#contract a[href*='/sales/contracts/']").click()

    # -- the contract: submitted, approved by the manager, signed 70 days ago
    expect(rep).to_have_url(f"{base}/sales/contracts/{contract_id}")
    expect(badge(rep)).to_have_text(t["draft"])
    expect(rep.locator(".props").first).to_contain_text(cny(locale, "24,000.00"))
    wait_fragments(rep)
    no_english(rep, w, contract_number, number)
    rep.locator("form[action$='/submit'] button[type=submit]").click()
    expect(rep.locator("#approval .badge")).to_have_text(t["waiting"])
    assert approval_status("sales.contract", contract_id) == "pending"
    approve(manager, base, contract_number, w)
    assert approval_status("sales.contract", contract_id) == "approved"
    rep.reload()
    expect(badge(rep)).to_have_text(t["approved"])
    sign = rep.locator("form[action$='/sign']")
    sign.locator("input[name=signed_date]").fill(signed_on.isoformat())
    sign.locator("select[name=contact_id]").select_option(str(w.contact_id))
    sign.locator("button[type=submit]").click()
    expect(badge(rep)).to_have_text(t["signed"])
    contract = fresh(Contract, contract_id)
    assert (contract.status, contract.signed_date, contract.amount) == (
        "signed",
        signed_on,
        D("24000.00"),
    )
    done_reading()
    wait_fragments(rep)
    no_english(rep, w, contract_number, number)
    shoot(rep, f"money-path-contract-signed-{locale}")

    # -- the receivable plan: spread evenly into 3, the first due 40 days ago, 2 months apart
    rep.locator("a[href$='/receivable-plan']").click()
    no_english(rep, w, contract_number)
    rep.locator("#f-n").fill("3")
    rep.locator("#f-first_due").fill(first_due.isoformat())
    rep.locator("#f-months").fill("2")
    rep.locator("form:has(input[name=action][value=spread]) button[type=submit]").click()
    expect(rep.locator("#row-0-due_date")).to_have_value(first_due.isoformat())
    for n in range(3):
        expect(rep.locator(f"#row-{n}-amount")).to_have_value("8000.00")
    no_english(rep, w, contract_number)
    rep.locator("form:has(input[name=version]) button[type=submit]").click()
    expect(rep).to_have_url(f"{base}/sales/contracts/{contract_id}")
    wait_fragments(rep)
    db.session.rollback()
    plan = db.session.scalars(
        select(Instalment).where(Instalment.contract_id == contract_id).order_by(Instalment.number)
    ).all()
    assert [(i.amount, i.collected) for i in plan] == [(D("8000.00"), D("0.00"))] * 3
    assert plan[0].due_date == first_due and plan[1].due_date > day
    first_id = plan[0].id
    done_reading()

    # -- a partial payment of 5,000.00 on the first instalment, paid today
    row = rep.locator("#receivables tbody tr").first
    expect(row).to_contain_text(t["overdue"])
    row.locator("details summary").click()
    row.locator("input[name=amount]").fill("5000")
    row.locator("button[type=submit]").click()
    expect(rep.locator("#flashes .flash.success")).to_be_visible()
    wait_fragments(rep)
    row = rep.locator("#receivables tbody tr").first
    expect(row).to_contain_text(cny(locale, "5,000.00"))  # collected
    expect(row).to_contain_text(cny(locale, "3,000.00"))  # open
    expect(row).to_contain_text(t["overdue"])  # partly paid, still overdue
    # the contract collected
    expect(rep.locator(".props").first).to_contain_text(cny(locale, "5,000.00"))
    no_english(rep, w, contract_number, number)
    first = fresh(Instalment, first_id)
    assert (first.collected, first.settled_on) == (D("5000.00"), None)
    assert fresh(Contract, contract_id).collected == D("5000.00")
    (payment,) = db.session.scalars(select(Payment).where(Payment.contract_id == contract_id))
    assert (payment.status, payment.amount, payment.paid_on) == ("confirmed", D("5000.00"), day)
    done_reading()

    # -- the collection list: the first instalment overdue, 3,000.00 open
    rep.goto(f"{base}/sales/collections")
    no_english(rep, w, contract_number)
    rows = rep.locator("table.list tbody tr", has_text=contract_number)
    expect(rows).to_have_count(1)  # the second and third are not due yet
    expect(rows.first).to_contain_text(w.names["customer"])
    expect(rows.first).to_contain_text(format_date(first_due, "medium", locale=locale))
    expect(rows.first.locator("td").nth(5)).to_have_text("40")  # days overdue
    expect(rows.first.locator("td").nth(6)).to_have_text(cny(locale, "3,000.00"))
    expect(rep.locator("#totals")).to_contain_text(cny(locale, "3,000.00"))
    shoot(rep, f"money-path-collections-{locale}")

    # -- the rep requests an invoice for the money collected; finance issues it
    rep.goto(f"{base}/sales/contracts/{contract_id}")
    wait_fragments(rep)
    request = rep.locator("form[action$='/invoices']")
    request.locator("select[name=kind]").select_option("vat_normal")
    request.locator("input[name=amount]").fill("5000.00")
    request.locator("button[type=submit]").click()
    expect(rep.locator("#flashes .flash.success")).to_be_visible()
    wait_fragments(rep)
    expect(rep.locator("#invoices tbody tr").first).to_contain_text(t["requested"])
    no_english(rep, w, contract_number, number)
    db.session.rollback()
    invoice_id = db.session.scalar(select(Invoice.id).where(Invoice.contract_id == contract_id))
    invoice = db.session.get(Invoice, invoice_id)
    assert (invoice.status, invoice.amount, invoice.title) == (
        "requested",
        D("5000.00"),
        w.names["customer"],
    )
    done_reading()
    finance.goto(f"{base}/sales/invoices")
    no_english(finance, w, contract_number)
    finance.locator(f"a[href$='/sales/invoices/{invoice_id}']").first.click()
    no_english(finance, w, contract_number)
    issue = finance.locator("form[action$='/issue']")
    issue.locator("input[name=number]").fill(INVOICE_NUMBER)
    issue.locator("button[type=submit]").click()
    expect(finance.locator("h1 .badge")).to_have_text(t["issued"])
    expect(finance.locator("h1")).to_contain_text(INVOICE_NUMBER)
    shoot(finance, f"money-path-invoice-issued-{locale}")
    no_english(finance, w, contract_number)
    invoice = fresh(Invoice, invoice_id)
    assert (invoice.status, invoice.number, invoice.issued_on) == ("issued", INVOICE_NUMBER, day)
    assert fresh(Contract, contract_id).invoiced == D("5000.00")
    done_reading()
    rep.reload()
    wait_fragments(rep)
    expect(rep.locator("#invoices tbody tr").first).to_contain_text(t["issued"])
    expect(rep.locator("#invoices tbody tr").first).to_contain_text(INVOICE_NUMBER)

    # -- the rep's commission statement: 3 % of the 5,000.00 collected this month
    rep.goto(f"{base}/sales/commission?month={day:%Y-%m}")
    no_english(rep, w, contract_number)
    collected = rep.locator("#collected tbody tr", has_text=contract_number)
    expect(collected).to_have_count(1)
    expect(collected).to_contain_text(cny(locale, "5,000.00"))
    statement = rep.locator("#statement")
    expect(statement.locator("caption", has_text=w.names["rule"])).to_contain_text(
        cny(locale, "5,000.00")
    )
    expect(statement.locator("tfoot")).to_contain_text(cny(locale, "150.00"))
    shoot(rep, f"money-path-commission-{locale}")
    assert w.english == {}, "English on the Chinese pages:\n" + "\n".join(
        f"{path}: {sorted(words)}" for path, words in w.english.items()
    )
