"""The quote pages: "New quote" on a deal's page opens the form prefilled
from the deal's lines; the list follows the list standard (filters, sort
both ways, what to do when empty); a quote's page shows its lines, totals
and revisions and the buttons its state and the user's permissions allow;
accepting there makes the contract it then links to; in Chinese the page
shows no English."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from core.api import DataScope, Role, db
from core.testing.pages import english_words
from plugins.sales.models import Contract, Quote
from plugins.sales.services.quotes import editing, lifecycle

from .quote_fixtures import *  # noqa: F403
from .quote_fixtures import token, tomorrow


def sort_link(page: str, label: str) -> str:
    found = re.search(r'<a class="sort" href="([^"]+)">' + re.escape(label) + r"[ <]", page)
    assert found, f"no sort link {label!r}"
    return html.unescape(found.group(1))


def test_new_quote_from_the_deal_page_is_prefilled_from_its_lines(
    deal, people, price_list, login_as
):
    web = login_as(people["rep"])
    page = web.get(f"/sales/deals/{deal.id}").text
    assert f"/sales/quotes/new?deal_id={deal.id}" in page and "New quote" in page
    form = web.get(f"/sales/quotes/new?deal_id={deal.id}").text
    assert 'value="Tea for every office"' in form
    assert 'name="line-0-unit_price" type="text" inputmode="decimal" value="110.00"' in form
    assert f'<option value="{price_list["tea"].id}" selected>' in form
    assert "Import tea" not in form  # the USD product is not offered for a CNY quote
    posted = web.post(
        f"/sales/quotes/new?deal_id={deal.id}",
        data={
            "csrf_token": token(web, f"/sales/quotes/new?deal_id={deal.id}"),
            "title": "Tea, first offer",
            "valid_until": tomorrow(),
            "discount_percent": "10",
            "tax_percent": "13",
            "locale": "",
            "terms": "",
            "contact_id": "",
            "line-0-product_id": str(price_list["tea"].id),
            "line-0-description": "",
            "line-0-unit_price": "110.00",
            "line-0-quantity": "10",
            "line-0-discount_percent": "0",
            "line-1-product_id": str(price_list["cup"].id),
            "line-1-description": "",
            "line-1-unit_price": "",
            "line-1-quantity": "4",
            "line-1-discount_percent": "5",
            "line-2-product_id": "",
            "line-2-description": "",
            "line-2-unit_price": "",
            "line-2-quantity": "",
            "line-2-discount_percent": "",
        },
    )
    assert posted.status_code == 302, posted.text
    quote = db.session.scalar(select(Quote))
    assert quote.deal_id == deal.id and str(quote.total) == "1255.89" and quote.locale is None
    page = web.get(posted.headers["Location"]).text
    assert quote.number in page and "¥1,255.89" in page and "Oolong tea" in page


def test_the_form_shows_each_error_by_its_field_and_keeps_the_input(deal, people, login_as):
    web = login_as(people["rep"])
    path = f"/sales/quotes/new?deal_id={deal.id}"
    answer = web.post(
        path,
        data={
            "csrf_token": token(web, path),
            "title": "Tea",
            "discount_percent": "150",
            "tax_percent": "0",
            "line-0-description": "Tea",
            "line-0-unit_price": "-3",
            "line-0-quantity": "1",
            "line-0-discount_percent": "0",
        },
    )
    assert answer.status_code == 422
    assert 'id="e-discount_percent"' in answer.text and 'id="e-lines.0.unit_price"' in answer.text
    assert 'value="150"' in answer.text and 'value="-3"' in answer.text
    assert db.session.scalar(select(Quote)) is None


def test_the_list_filters_sorts_both_ways_and_says_what_to_do_when_empty(
    make_quote, people, login_as
):
    web = login_as(people["rep"])
    empty = web.get("/sales/quotes").text
    assert "No quotes yet" in empty
    cheap = make_quote(
        title="Tea sample", lines=[{"description": "Tea", "unit_price": "5", "quantity": "1"}]
    )
    dear = make_quote(title="Tea for all")
    other = make_quote(title="Coffee")
    lifecycle.send_quote(other, people["rep"])
    page = web.get("/sales/quotes?q=Tea").text
    assert cheap.number in page and dear.number in page and other.number not in page
    link = sort_link(page, "Amount")
    assert "q=Tea" in link and "sort=total" in link
    up = web.get(link).text
    assert up.index(cheap.number) < up.index(dear.number)
    down = web.get(sort_link(up, "Amount")).text
    assert down.index(dear.number) < down.index(cheap.number)
    sent = web.get("/sales/quotes?status=sent").text
    assert other.number in sent and cheap.number not in sent
    none = web.get("/sales/quotes?status=rejected").text
    assert "No quotes match." in none and "Clear the filters" in none
    assert "Quotes" in web.get("/").text  # the menu entry
    of_the_deal = web.get(f"/sales/quotes?deal_id={cheap.deal_id}").text
    assert cheap.number in of_the_deal and f'name="deal_id" value="{cheap.deal_id}"' in of_the_deal
    assert web.get("/sales/quotes?deal_id=999999").text.count("No quotes match.") == 1


def test_the_quote_page_offers_what_its_state_allows(make_quote, people, login_as, make_user):
    quote = make_quote(valid_until=tomorrow())
    web = login_as(people["rep"])
    draft = web.get(f"/sales/quotes/{quote.id}").text
    for path in ("edit", "send", "revise", "pdf"):
        assert f"/sales/quotes/{quote.id}/{path}" in draft, path
    # no flow covers it: nothing to submit for approval
    assert f"/sales/quotes/{quote.id}/approval" not in draft
    assert f"/sales/quotes/{quote.id}/accept" not in draft
    assert "Revision 1" in draft and "¥1,234.90" in draft  # 1100.00 + 134.90
    web.post(
        f"/sales/quotes/{quote.id}/send",
        data={"csrf_token": token(web, f"/sales/quotes/{quote.id}"), "version": quote.version},
    )
    sent = web.get(f"/sales/quotes/{quote.id}").text
    assert "is sent" in sent
    assert f"/sales/quotes/{quote.id}/accept" in sent and f"/sales/quotes/{quote.id}/reject" in sent
    assert (
        f"/sales/quotes/{quote.id}/edit" not in sent
        and f"/sales/quotes/{quote.id}/send" not in sent
    )
    db.session.add(
        Role(name="reader", scope=DataScope.all, permissions=["customer.read", "sales.quote.read"])
    )
    db.session.commit()
    reader = login_as(make_user(role="reader", name="Rhea Reader")).get(f"/sales/quotes/{quote.id}")
    assert reader.status_code == 200 and quote.number in reader.text
    assert f"/sales/quotes/{quote.id}/accept" not in reader.text
    assert f"/sales/quotes/{quote.id}/revise" not in reader.text


def test_accepting_on_the_page_makes_the_contract_it_links_to(make_quote, people, login_as):
    quote = make_quote()
    lifecycle.send_quote(quote, people["rep"])
    web = login_as(people["rep"])
    accepted = web.post(
        f"/sales/quotes/{quote.id}/accept",
        data={
            "csrf_token": token(web, f"/sales/quotes/{quote.id}"),
            "version": quote.version,
            "create_contract": "1",
        },
    )
    assert accepted.status_code == 302
    contract = db.session.scalar(select(Contract).where(Contract.quote_id == quote.id))
    assert contract is not None
    page = web.get(f"/sales/quotes/{quote.id}").text
    assert f"/sales/contracts/{contract.id}" in page and contract.number in page


def test_an_accepted_quote_without_a_contract_offers_to_make_one(make_quote, people, login_as):
    quote = make_quote()
    lifecycle.send_quote(quote, people["rep"])
    lifecycle.accept_quote(quote, people["rep"], create_contract=False)
    page = login_as(people["rep"]).get(f"/sales/quotes/{quote.id}").text
    assert f'action="/sales/quotes/{quote.id}/contract"' in page and "Create contract" in page


def test_the_revise_button_opens_the_new_revision(make_quote, people, login_as):
    quote = make_quote()
    web = login_as(people["rep"])
    revised = web.post(
        f"/sales/quotes/{quote.id}/revise",
        data={"csrf_token": token(web, f"/sales/quotes/{quote.id}"), "version": quote.version},
    )
    newest = db.session.scalar(select(Quote).where(Quote.revision == 2))
    assert revised.headers["Location"].endswith(f"/sales/quotes/{newest.id}")
    page = web.get(f"/sales/quotes/{newest.id}").text
    assert f'href="/sales/quotes/{quote.id}"' in page  # the revision it supersedes


def test_the_quote_pages_in_chinese_show_no_english(people, make_user, login_as):
    rep = make_user(role="sales", name="王芳", locale="zh_CN")
    customer = people["customer"]
    customer.owner_id = rep.id
    db.session.commit()
    quote = editing.create_quote(
        {
            "customer_id": customer.id,
            "title": "办公室用茶",
            "currency": "CNY",
            "discount_percent": "5",
            "tax_percent": "13",
            "terms": "货到付款",
            "lines": [{"description": "乌龙茶", "unit_price": "120", "quantity": "3"}],
        },
        rep,
    )
    web = login_as(rep)
    latin = {"QT", "English"}  # the number's prefix; the languages are named in themselves
    for path in (
        f"/sales/quotes/{quote.id}",
        f"/sales/quotes/{quote.id}/edit",
        "/sales/quotes",
        "/sales/quotes?status=rejected",
    ):
        page = web.get(path)
        assert page.status_code == 200, path
        main = re.split(r"<main[^>]*>", page.text, maxsplit=1)[1]  # not the menu: others' entries
        assert english_words(main) - latin == set(), (path, english_words(main))


def test_submit_for_approval_is_offered_only_while_a_flow_waits_for_it(
    make_quote, people, login_as, discount_flow
):
    """A draft a flow covers offers the submission; once approved (and not
    changed since) it offers sending instead, never a second submission."""
    from core.api import approve_request
    from plugins.sales.services.quotes.approval import submit_quote

    quote = make_quote(discount_percent="20")
    web = login_as(people["rep"])
    assert f"/sales/quotes/{quote.id}/approval" in web.get(f"/sales/quotes/{quote.id}").text
    request = submit_quote(quote, people["rep"])
    assert request.status == "pending"
    approve_request(request, people["manager"])
    page = web.get(f"/sales/quotes/{quote.id}").text
    assert f"/sales/quotes/{quote.id}/approval" not in page
    assert f"/sales/quotes/{quote.id}/send" in page
