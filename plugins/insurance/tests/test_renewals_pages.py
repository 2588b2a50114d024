"""The Renewals page (续保): in the Insurance menu, the due list in the
user's scope with its filters (ending within, agent) and its row forms —
a renewal quote, a renewal lost (its reason required) — and the page in
English and in Chinese."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.api import db
from core.testing.pages import english_words, untranslated
from plugins.insurance.models import Policy
from plugins.insurance.services.terms import today

from .factories import make_policy
from .test_renewals_fixtures import book, issued, pay  # noqa: F401

#: the page's words not yet in the insurance catalogue (their Chinese waits in the
#: i18n file for the catalogue; once there, this set is empty)
AWAITING_CATALOGUE = {
    "Renewals",
    "Ending within",
    "The product's renewal lead time",
    "Days left",
    "Actions",
    "Renewal quote",
    "Renew",
    "Lost",
    "Why was it lost?",
    "Choose…",
    "Mark lost",
    "Price",
    "Service",
    "Went to a competitor",
    "No longer needed",
    "Could not be reached",
    "Other",
    "%(days)d days",
    "Expired %(days)d days ago",
    "term %(n)d",
    "Note",
}


def _csrf(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def _term(customer, agent, number, ends_in, **fields) -> Policy:
    end = today() + timedelta(ends_in)
    return make_policy(
        customer, agent, number, end - timedelta(364), end, team_id=agent.team_id, **fields
    )


@pytest.fixture
def terms(book):  # noqa: F811
    rows = (
        _term(book.harbour, book.ann, "P-SOON", 10),
        _term(book.harbour, book.ann, "P-FAR", 80),
        _term(book.elsewhere, book.bob, "P-BOBS", 10),
    )
    db.session.commit()
    return rows


def test_the_renewals_page_lists_the_users_due_terms(login_as, book, terms):  # noqa: F811
    client = login_as(book.ann)
    page = client.get("/insurance/renewals")
    assert page.status_code == 200
    assert 'href="/insurance/renewals"' in page.text  # the menu entry
    assert "P-SOON" in page.text and "P-FAR" not in page.text and "P-BOBS" not in page.text
    assert "Harbour Freight" in page.text and ">10<" in page.text  # days left
    assert f'action="/insurance/renewals/{terms[0].id}/quote"' in page.text
    assert '/renew"' not in page.text  # an agent does not issue
    wider = client.get("/insurance/renewals?within=90").text
    assert "P-FAR" in wider and "P-SOON" in wider
    assert "No renewals match." in client.get(f"/insurance/renewals?agent={book.bob.id}").text
    manager = login_as(book.meg).get("/insurance/renewals").text
    assert "P-SOON" in manager and "P-BOBS" not in manager
    assert f'action="/insurance/renewals/{terms[0].id}/renew"' in manager


def test_a_renewal_lost_from_the_page(login_as, book, terms):  # noqa: F811
    soon = terms[0]
    client = login_as(book.ann)
    token = _csrf(client, "/insurance/renewals")
    url = f"/insurance/renewals/{soon.id}/lost"
    data = {"csrf_token": token, "version": soon.version, "next": "/insurance/renewals"}
    refused = client.post(url, data=data, follow_redirects=True)
    assert "choose why the renewal was lost" in refused.text and "P-SOON" in refused.text
    done = client.post(url, data=data | {"lost_reason": "price"}, follow_redirects=True)
    assert done.status_code == 200 and "marked lost" in done.text
    assert f'id="renewal-{soon.id}"' not in done.text
    db.session.expire_all()
    assert db.session.get(Policy, soon.id).lost_reason == "price"
    theirs = client.post(f"/insurance/renewals/{terms[2].id}/lost", data=data)
    assert theirs.status_code == 404


def test_a_renewal_quote_from_the_page(login_as, book, terms):  # noqa: F811
    soon = terms[0]
    client = login_as(book.ann)
    data = {"csrf_token": _csrf(client, "/insurance/renewals"), "version": soon.version}
    answer = client.post(f"/insurance/renewals/{soon.id}/quote", data=data)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/insurance/renewals")
    shown = client.get("/insurance/renewals").text
    assert "Renewal quote BJ-" in shown and "+0.0%" in shown
    assert f'id="renewal-{soon.id}"' not in shown  # quoted: off the list


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_renewals_page_in_both_languages(make_user, make_customer, login_as, book, locale):  # noqa: F811
    reader = make_user(role="manager", locale=locale, team=book.ann.team, name="王经理")
    holder = make_customer(name="上海港务", owner_id=reader.id)
    end = today() + timedelta(12)
    make_policy(
        holder, reader, "880001", end - timedelta(364), end, product="车险", team_id=reader.team_id
    )
    db.session.commit()
    page = login_as(reader).get("/insurance/renewals")
    assert page.status_code == 200 and f'<html lang="{locale[:2]}' in page.text
    assert "880001" in page.text
    if locale == "en":
        assert "Days left" in page.text and "Renewal quote" in page.text
        assert f"{end:%b} {end.day}, {end.year}" in page.text
    else:
        assert f"{end.year}年{end.month}月{end.day}日" in page.text
        main = page.text[page.text.index("<main") :]  # the page's own, not the menu
        assert set(untranslated(main, locale)) <= AWAITING_CATALOGUE
        awaiting = set(re.findall(r"[A-Za-z]{2,}", " ".join(AWAITING_CATALOGUE)))
        assert english_words(main) <= awaiting


def test_the_policy_page_shows_the_renewal_panel_and_cancels_in_the_cooling_off(
    login_as,
    book,  # noqa: F811
):
    policy = issued(
        book.harbour,
        book.ann,
        "P-PANEL",
        today() - timedelta(355),
        premium="1200.00",
        cooling_off_ends_on=today() + timedelta(3),
        product="Panel motor",
        product_fields={"callback_required": True},
    )
    pay(policy, book.ann, "1200.00")
    client = login_as(book.ann)
    page = client.get(f"/insurance/policies/{policy.id}")
    assert page.status_code == 200
    assert (
        'id="renewal"' in page.text
        and f"Ends in {(policy.end_date - today()).days} days" in page.text
    )
    assert f'action="/insurance/renewals/{policy.id}/quote"' in page.text
    assert 'name="outcome"' in page.text  # the callback form
    assert "Within the cooling-off period" in page.text and "1,200.00" in page.text
    data = {
        "csrf_token": _csrf(client, f"/insurance/policies/{policy.id}"),
        "version": policy.version,
        "next": f"/insurance/policies/{policy.id}",
        "reason": "Changed his mind",
    }
    done = client.post(f"/insurance/renewals/{policy.id}/cancel", data=data)
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/insurance/policies/{policy.id}"
    )
    db.session.expire_all()
    cancelled = db.session.get(Policy, policy.id)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Changed his mind")
    after = client.get(f"/insurance/policies/{policy.id}").text
    assert "P-PANEL cancelled." in after and 'id="cancel"' not in after
