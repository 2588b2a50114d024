"""The dashboard cards: renewals due within 30 days and terms in grace in
the user's scope (an agent's own, never another agent's), open claims,
and the review queue of claims with risk warnings for assessors only —
each on the dashboard for the right roles, with the right rows in the
right order, in English and in Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.api import db
from core.testing.pages import untranslated

from .claim_fixtures import book, report  # noqa: F401
from .factories import make_policy

CARDS = ("renewals", "grace", "open-claims", "claim-review")


@pytest.fixture
def due(book):  # noqa: F811
    """Ann's terms ending in 20 and 5 days, one in grace (grace ends in 3
    days) and one whose grace ends in 12; Bob's ending in 10 days."""
    day = book.day

    def term(agent, customer, number, end, **fields):
        return make_policy(
            customer,
            agent,
            number,
            day - timedelta(300),
            day + timedelta(end),
            team_id=agent.team_id,
            **fields,
        )

    found = {
        "soon": term(book.ann, book.harbour, "P-W-20", 20),
        "sooner": term(book.ann, book.harbour, "P-W-05", 5),
        "grace_late": term(
            book.ann, book.harbour, "P-W-G12", 60, status="grace", grace_ends_on=day + timedelta(12)
        ),
        "grace_early": term(
            book.ann, book.harbour, "P-W-G03", 90, status="grace", grace_ends_on=day + timedelta(3)
        ),
        "bobs": term(book.bob, book.theirs.customer, "P-W-BOB", 10),
    }
    db.session.commit()
    return found


def test_the_cards_on_the_dashboard_by_role(login_as, book, due):  # noqa: F811
    ann = login_as(book.ann).get("/").text
    for key in ("insurance_renewals_due", "insurance_grace", "insurance_open_claims"):
        assert f'id="widget-{key}"' in ann
    assert 'id="widget-insurance_claim_review"' not in ann
    assessor = login_as(book.assessor).get("/").text
    assert 'id="widget-insurance_claim_review"' in assessor
    assert 'id="widget-insurance_open_claims"' in assessor
    assert 'id="widget-insurance_renewals_due"' not in assessor  # no policy.read
    assert login_as(book.ann).get("/insurance/widgets/claim-review").status_code == 403


def test_renewals_due_soonest_first_in_the_agents_scope(login_as, book, due):  # noqa: F811
    card = login_as(book.ann).get("/insurance/widgets/renewals").text
    assert card.index("P-W-05") < card.index("P-W-20")
    assert f'href="/insurance/policies/{due["sooner"].id}"' in card
    assert "P-W-BOB" not in card  # Bob's
    assert "P-CL-LIVE" not in card  # ends in 265 days
    assert "P-W-G12" not in card  # ends in 60
    assert '<span class="count">2</span>' in card
    bob = login_as(book.bob).get("/insurance/widgets/renewals").text
    assert "P-W-BOB" in bob and "P-W-05" not in bob
    manager = login_as(book.manager).get("/insurance/widgets/renewals").text
    assert "P-W-05" in manager and "P-W-BOB" not in manager  # Ann's team, not Bob's


def test_grace_ending_soonest_first(login_as, book, due):  # noqa: F811
    card = login_as(book.ann).get("/insurance/widgets/grace").text
    assert card.index("P-W-G03") < card.index("P-W-G12")
    assert "P-W-20" not in card
    assert 'class="count hot">2<' in card
    assert "No policies in grace period." in login_as(book.bob).get("/insurance/widgets/grace").text


def test_open_claims_and_the_review_queue(login_as, book):  # noqa: F811
    plain = report(book)
    late = report(book, book.back, loss_date=(book.day - timedelta(31)).isoformat())
    bobs = report(book, book.theirs, book.bob)
    ann = login_as(book.ann).get("/insurance/widgets/open-claims").text
    assert plain.number in ann and late.number in ann and bobs.number not in ann
    queue = login_as(book.assessor).get("/insurance/widgets/claim-review").text
    assert late.number in queue and plain.number not in queue
    assert "Reported late" in queue and 'class="count hot">1<' in queue
    late.reviewed_at = late.reported_at
    db.session.commit()
    assert (
        "No claims to review."
        in login_as(book.assessor).get("/insurance/widgets/claim-review").text
    )


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_dashboard_cards_in_both_languages(make_user, login_as, book, due, locale):  # noqa: F811
    report(book, book.back, loss_date=(book.day - timedelta(31)).isoformat())
    reader = make_user(role="manager", team=book.ann.team, locale=locale)
    page = login_as(reader).get("/")
    assert page.status_code == 200
    for key in ("renewals_due", "grace", "open_claims", "claim_review"):
        assert f'id="widget-insurance_{key}"' in page.text
    if locale == "zh_CN":
        # the cards themselves (the menu around them is other slices' work)
        for card in CARDS:
            html = login_as(reader).get(f"/insurance/widgets/{card}").text
            assert untranslated(html, locale) == [], card
    else:
        assert "Renewals due" in page.text and "P-W-05" in page.text
