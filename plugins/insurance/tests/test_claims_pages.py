"""Claim pages: the list in the user's scope, a claim's page with its
history and one form per move the user may make (opening it is audited),
a move refused by its field and kept on the page, the "Report a claim"
form from a policy, the customer's Claims tab, the timeline link — in
English and in Chinese."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from core.api import db
from core.testing.pages import untranslated
from plugins.insurance.models import Claim

from .claim_fixtures import book, claim_in, report  # noqa: F401

#: the claim page's words not yet in the insurance catalogue
AWAITING_CATALOGUE = {
    "Approved",
    "Paid",
    "Next step",
    "Paid on",
    "History",
    "Reason",
    "Submitted",
    "Approve",
}


def _csrf(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def _forms(html: str) -> list[str]:
    return re.findall(r'id="move-([a-z_]+)"', html)


def test_the_list_shows_the_users_claims(login_as, book):  # noqa: F811
    mine = report(book)
    theirs = report(book, book.theirs, book.bob)
    page = login_as(book.ann).get("/insurance/claims")
    assert page.status_code == 200
    assert mine.number in page.text and theirs.number not in page.text
    assert "Harbour Freight" in page.text and "1,000.00" in page.text
    filtered = login_as(book.ann).get("/insurance/claims?status=paid").text
    assert mine.number not in filtered and "No claims match." in filtered


def test_a_claim_page_has_a_form_for_each_move_the_user_may_make(login_as, book):  # noqa: F811
    claim = claim_in(book, "assessing")
    assessor = login_as(book.assessor).get(f"/insurance/claims/{claim.id}")
    assert assessor.status_code == 200
    assert _forms(assessor.text) == ["request_documents", "approve", "approve_partially", "reject"]
    assert 'for="f-reject-reject_code"' in assessor.text and "History" in assessor.text
    assert assessor.text.count("<tr><td>") >= 3  # report, submit, assess
    agent = login_as(book.ann).get(f"/insurance/claims/{claim.id}")
    assert _forms(agent.text) == ["request_documents"]
    viewed = db.session.execute(
        text(
            "SELECT count(*) FROM audit_entry WHERE entity = 'insurance_claim'"
            " AND entity_id = :i AND action = 'view'"
        ),
        {"i": claim.id},
    ).scalar()
    assert viewed == 2


def test_another_agents_claim_page_is_not_found(login_as, book):  # noqa: F811
    theirs = report(book, book.theirs, book.bob)
    assert login_as(book.ann).get(f"/insurance/claims/{theirs.id}").status_code == 404


def test_a_move_from_the_page_and_one_refused_by_its_field(login_as, book):  # noqa: F811
    claim = claim_in(book, "assessing")
    client = login_as(book.assessor)
    url = f"/insurance/claims/{claim.id}/transitions"
    token, read = _csrf(client, f"/insurance/claims/{claim.id}"), claim.version
    refused = client.post(
        url,
        data={
            "action": "reject",
            "version": claim.version,
            "reason": "Wear and tear",
            "csrf_token": token,
        },
    )
    assert refused.status_code == 422
    assert 'id="e-reject-reject_code"' in refused.text and "Wear and tear" in refused.text
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == "assessing"
    done = client.post(
        url,
        data={
            "action": "approve_partially",
            "version": claim.version,
            "approved_amount": "300.00",
            "reason": "Half",
            "csrf_token": token,
        },
    )
    assert done.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Claim, claim.id)
    assert (moved.status, str(moved.reserve)) == ("partially_approved", "300.00")
    # a form opened before that move is stale: nothing changes
    stale = client.post(url, data={"action": "pay", "version": read, "csrf_token": token})
    assert stale.status_code == 302
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == "partially_approved"


def test_reporting_a_claim_from_a_policy(login_as, book):  # noqa: F811
    client = login_as(book.ann)
    form = client.get(f"/insurance/claims/new?policy_id={book.live.id}")
    assert form.status_code == 200 and "P-CL-LIVE" in form.text and 'name="loss_date"' in form.text
    assert 'name="exception"' not in form.text  # an agent may not make exceptions
    data = {
        "loss_date": (book.day - timedelta(2)).isoformat(),
        "claimed_amount": "0",
        "description": "Windscreen",
        "channel": "agent",
        "csrf_token": _csrf(client, f"/insurance/claims/new?policy_id={book.live.id}"),
    }
    refused = client.post(f"/insurance/claims/new?policy_id={book.live.id}", data=data)
    assert refused.status_code == 422 and 'id="e-claimed_amount"' in refused.text
    assert "Windscreen" in refused.text
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 0
    made = client.post(
        f"/insurance/claims/new?policy_id={book.live.id}", data=data | {"claimed_amount": "880.00"}
    )
    assert made.status_code == 302
    claim = db.session.scalar(select(Claim))
    assert made.headers["Location"].endswith(f"/insurance/claims/{claim.id}")
    assert str(claim.claimed_amount) == "880.00"
    assert client.get(f"/insurance/claims/new?policy_id={book.theirs.id}").status_code == 404


def test_the_customer_claims_tab_and_timeline_link(login_as, book):  # noqa: F811
    claim = report(book)
    client = login_as(book.ann)
    page = client.get(f"/customers/{book.harbour.id}").text
    assert 'id="tab-claims"' in page
    panel = client.get(f"/customers/{book.harbour.id}/tab/claims")
    assert panel.status_code == 200 and claim.number in panel.text
    assert f"/insurance/claims/new?policy_id={book.live.id}" in panel.text
    timeline = client.get(f"/customers/{book.harbour.id}/tab/timeline").text
    assert f'href="/insurance/claims/{claim.id}"' in timeline  # the report links to the claim
    others = login_as(book.bob).get(f"/customers/{book.harbour.id}/tab/timeline")
    assert f'href="/insurance/claims/{claim.id}"' not in others.text


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_claim_page_in_both_languages(make_user, login_as, book, locale):  # noqa: F811
    claim = claim_in(book, "approved")
    loss = claim.loss_date
    reader = make_user(role="claims_assessor", locale=locale)
    page = login_as(reader).get(f"/insurance/claims/{claim.id}")
    assert page.status_code == 200
    assert f'<html lang="{locale[:2]}' in page.text
    if locale == "en":
        assert f"{loss:%B} {loss.day}, {loss.year}" in page.text and "Loss date" in page.text
    else:
        assert f"{loss.year}年{loss.month}月{loss.day}日" in page.text
        # core's words are in Chinese; the claim's own wait in the i18n file for the
        # insurance catalogue (once there, this set is empty)
        assert set(untranslated(page.text, locale)) <= AWAITING_CATALOGUE
    assert _forms(page.text) == ["pay"]
    if locale == "en":
        assert "Risk warnings" not in page.text  # none fired on this claim


def test_the_risk_warnings_show_on_the_claim_page(login_as, book):  # noqa: F811
    late = report(book, book.back, loss_date=(book.day - timedelta(31)).isoformat())
    page = login_as(book.assessor).get(f"/insurance/claims/{late.id}").text
    assert "Risk warnings" in page and "Reported late" in page
