"""The public claim form (报案 without an account) and its tracking link: a
policyholder proven by policy number and phone reports a claim with
channel ``public``; the link shows where it stands and nothing internal; a
wrong proof, a forged token, too many posts are refused with nothing
written — in English and in Chinese."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.api import Activity, db
from core.testing.pages import untranslated
from plugins.insurance.models import Claim, ClaimEvent
from plugins.insurance.services.claims import transition

from .claim_fixtures import book  # noqa: F401

PHONE = "+8613912345678"
#: the form's words another plugin's catalogue translates, not yet the insurance one
AWAITING_CATALOGUE = {"Leave this empty", "Progress"}
TRACK = re.compile(r"http://localhost/insurance/track/(LP-[0-9-]+)\?t=([A-Za-z0-9_-]+)")


@pytest.fixture
def holder(book):  # noqa: F811
    """The book with a phone on record for Ann's policyholder, and its
    product asking for two documents."""
    book.harbour.phones = [PHONE]
    book.live.product.claim_documents = ["claim_form", "invoice"]
    db.session.commit()
    return book


def form(book, **fields) -> dict:  # noqa: F811
    return {
        "policy_number": "P-CL-LIVE",
        "phone": "139 1234 5678",
        "loss_date": (book.day - timedelta(3)).isoformat(),
        "claimed_amount": "2500.00",
        "description": "Hail dented the roof",
        "contact_phone": "",
        **fields,
    }


def send(client, book, **fields):  # noqa: F811
    return client.post("/insurance/report", data=form(book, **fields), follow_redirects=True)


def claims() -> int:
    return db.session.scalar(select(func.count()).select_from(Claim))


def test_the_form_stands_alone_and_fits_a_phone(client, holder):
    page = client.get("/insurance/report")
    assert page.status_code == 200
    assert 'name="policy_number"' in page.text and 'name="website"' in page.text
    assert 'name="viewport"' in page.text and "Sign out" not in page.text
    assert 'class="menu"' not in page.text


def test_a_report_creates_a_public_claim_and_the_link_tracks_it(client, holder):
    answer = send(client, holder)
    assert answer.status_code == 200
    number, token = TRACK.search(answer.text).groups()
    claim = db.session.scalar(select(Claim).where(Claim.number == number))
    assert claim.channel == "public" and claim.status == "reported"
    assert claim.policy_id == holder.live.id and claim.agent_id == holder.ann.id
    assert claim.contact_phone == PHONE  # none given: the proving phone
    assert claim.tracking_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (claim.tracking_hash or "")

    page = client.get(f"/insurance/track/{number}?t={token}")
    assert page.status_code == 200
    assert number in page.text and "Reported" in page.text
    assert "Claim form" in page.text and "Invoices and receipts" in page.text
    assert "Hail dented" not in page.text  # the report's words are not echoed
    # a reload of the thank-you page shows the same link, reports nothing new
    again = client.get("/insurance/report/thanks")
    assert f"/insurance/track/{number}?t={token}" in again.text and claims() == 1


def test_the_tracking_page_shows_no_notes_names_or_undecided_amounts(client, holder):
    number, token = TRACK.search(send(client, holder).text).groups()
    claim = db.session.scalar(select(Claim).where(Claim.number == number))
    for action in ("submit", "assess"):
        transition(claim, action, holder.manager, {}, claim.version)
    claim.handler_id = holder.assessor.id
    db.session.commit()
    page = client.get(f"/insurance/track/{number}?t={token}").text
    assert "Assessing" in page and "Submitted" in page
    assert "Ada Assessor" not in page and "Meg Manager" not in page
    assert "Amount approved" not in page and "Claim form" not in page  # submitted: none asked
    transition(
        claim,
        "approve_partially",
        holder.manager,
        {"approved_amount": "900.00", "reason": "Roof only, internal"},
        claim.version,
    )
    page = client.get(f"/insurance/track/{number}?t={token}").text
    assert "Amount approved" in page and "900.00" in page
    assert "Roof only, internal" not in page


def test_a_forged_or_missing_token_is_a_404(client, holder):
    number, token = TRACK.search(send(client, holder).text).groups()
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    hashed = hashlib.sha256(token.encode()).hexdigest()
    for query in (f"?t={forged}", "", "?t=", f"?t={hashed}", "?t=" + "a" * 200):
        answer = client.get(f"/insurance/track/{number}{query}")
        assert answer.status_code == 404 and "not valid" in answer.text, query
    other = send(client, holder, description="A second loss")
    other_number, other_token = TRACK.search(other.text).groups()
    # one claim's token does not open another claim
    assert client.get(f"/insurance/track/{number}?t={other_token}").status_code == 404
    assert client.get(f"/insurance/track/{other_number}?t={other_token}").status_code == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"policy_number": "P-NO-SUCH"},  # no such policy
        {"phone": "139 0000 0000"},  # not the holder's phone
        {"policy_number": "P-CL-BOB"},  # another holder's policy
    ],
)
def test_a_wrong_proof_is_one_422_that_says_not_which_and_writes_nothing(client, holder, fields):
    before = db.session.scalar(select(func.count()).select_from(Activity))
    answer = send(client, holder, **fields)
    assert answer.status_code == 422
    assert "We found no policy with this number and phone." in answer.text
    assert claims() == 0 and db.session.scalar(select(func.count()).select_from(ClaimEvent)) == 0
    assert db.session.scalar(select(func.count()).select_from(Activity)) == before


def test_a_contacts_phone_proves_too_and_the_contact_phone_is_normalised(
    client, holder, make_contact
):
    make_contact(holder.harbour, name="Wu Fleet", phones=["+8613700001111"])
    answer = send(client, holder, phone="137 0000 1111", contact_phone="138 0013 8000")
    assert answer.status_code == 200
    claim = db.session.scalar(select(Claim))
    assert claim.contact_phone == "+8613800138000"


def test_bad_fields_are_named_and_a_loss_the_term_did_not_cover_is_refused(client, holder):
    answer = send(client, holder, loss_date="", claimed_amount="-5", contact_phone="12")
    assert answer.status_code == 422
    assert 'id="e-loss_date"' in answer.text and 'id="e-claimed_amount"' in answer.text
    assert 'id="e-contact_phone"' in answer.text
    holder.lapsed.customer.phones = [PHONE]
    db.session.commit()
    lapsed = send(client, holder, policy_number="P-CL-LAPSED")
    assert lapsed.status_code == 422 and 'id="e-policy_number"' in lapsed.text
    assert "lapsed by the loss date" in lapsed.text
    assert claims() == 0


def test_spam_in_the_honeypot_is_thanked_and_dropped(client, holder):
    answer = send(client, holder, website="http://spam.example")
    assert answer.status_code == 200 and "Thank you" in answer.text
    assert claims() == 0 and TRACK.search(answer.text) is None


def test_the_eleventh_report_in_a_minute_is_refused(client, holder):
    answers = [send(client, holder, policy_number=f"P-X-{i}").status_code for i in range(11)]
    assert answers == [422] * 10 + [429]


def test_the_claim_is_on_the_timeline_and_the_agents_own(client, holder, login_as):
    number, _token = TRACK.search(send(client, holder).text).groups()
    claim = db.session.scalar(select(Claim).where(Claim.number == number))
    entries = db.session.scalars(
        select(Activity).where(Activity.customer_id == holder.harbour.id)
    ).all()
    assert any(a.link_type == "insurance_claim" and a.link_id == claim.id for a in entries)
    task = next(a for a in entries if a.kind == "task")
    assert task.owner_id == holder.ann.id and task.due_at is not None and number in task.subject
    ann = login_as(holder.ann)
    assert number in ann.get("/insurance/claims").text
    assert ann.get(f"/insurance/claims/{claim.id}").status_code == 200
    assert login_as(holder.bob).get(f"/insurance/claims/{claim.id}").status_code == 404


def test_the_pages_speak_the_visitors_language(client, holder):
    chinese = client.get("/insurance/report", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="zh-CN">' in chinese.text
    assert set(untranslated(chinese.text, "zh_CN")) <= AWAITING_CATALOGUE
    assert "报案" in chinese.text and "出险日期" in chinese.text
    picked = client.get("/insurance/report?lang=en", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in picked.text
    number, token = TRACK.search(_report_in(client, holder, "zh_CN")).groups()
    page = client.get(f"/insurance/track/{number}?t={token}&lang=zh_CN")
    assert page.status_code == 200 and '<html lang="zh-CN">' in page.text
    assert set(untranslated(page.text, "zh_CN")) <= AWAITING_CATALOGUE
    assert "已报案" in page.text and "索赔金额" in page.text
    # the language switch keeps the token
    assert f"t={token}" in re.search(r'href="([^"]*lang=en[^"]*)"', page.text).group(1)


def _report_in(client, book, lang: str) -> str:  # noqa: F811
    return client.post(
        f"/insurance/report?lang={lang}", data=form(book), follow_redirects=True
    ).text
