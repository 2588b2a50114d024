"""``/api/v1/insurance/policies``: an agent's own policy terms, narrowed and
found by number or policyholder; one policy with its history and the moves
its state allows; another agent's policy is a 404."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import DataScope, Role, db, utcnow
from plugins.insurance.models import Policy, PolicyTransaction

from .factories import make_policy


@pytest.fixture
def book(make_customer, make_user):
    db.session.add(
        Role(
            name="api_agent",
            permissions=["customer.read", "insurance.policy.read"],
            scope=DataScope.own,
        )
    )
    db.session.commit()
    me, other = make_user(role="api_agent"), make_user(role="api_agent")
    today = utcnow().date()
    harbour = make_customer(name="Harbour Freight", owner_id=me.id)
    mine = make_policy(harbour, me, "P-API-1", today - timedelta(days=300), today + timedelta(64))
    make_policy(
        harbour,
        me,
        "P-API-2",
        today - timedelta(days=10),
        today + timedelta(days=354),
        status="grace",
        product="Key person life",
    )
    make_policy(
        make_customer(name="Elsewhere Ltd", owner_id=other.id),
        other,
        "P-API-THEIRS",
        today,
        today + timedelta(days=364),
    )
    db.session.flush()
    db.session.add(
        PolicyTransaction(
            policy_id=mine.id,
            seq=1,
            kind="new_business",
            effective_on=mine.start_date,
            booked_on=mine.start_date,
            premium_delta=mine.term_premium,
            annual_premium_after=mine.annual_premium,
            customer_id=harbour.id,
            agent_id=me.id,
            carrier_id=mine.carrier_id,
            product_id=mine.product_id,
            line=mine.line,
            currency=mine.currency,
        )
    )
    db.session.commit()
    return {"me": me, "other": other, "mine": mine}


def test_an_agent_lists_their_own_terms_soonest_end_first(as_user, book):
    answer = as_user(book["me"]).get("/api/v1/insurance/policies")
    assert answer.status_code == 200
    assert [p["number"] for p in answer.json["items"]] == ["P-API-1", "P-API-2"]
    assert answer.json["items"][0]["product"] == "Fleet motor"
    assert answer.json["items"][0]["annual_premium"] == "12800.50"


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("status=grace", ["P-API-2"]),
        ("q=harbour", ["P-API-1", "P-API-2"]),
        ("q=P-API-2", ["P-API-2"]),
        ("ends_within=90", ["P-API-1"]),
        ("sort=-number", ["P-API-2", "P-API-1"]),
    ],
)
def test_the_list_narrows_and_sorts(as_user, book, query, numbers):
    answer = as_user(book["me"]).get(f"/api/v1/insurance/policies?{query}")
    assert [p["number"] for p in answer.json["items"]] == numbers


def test_a_bad_filter_is_refused_naming_it(as_user, book):
    answer = as_user(book["me"]).get("/api/v1/insurance/policies?status=sleeping")
    assert answer.status_code == 422 and "status" in answer.json["errors"]


def test_a_policy_comes_with_its_history_and_the_moves_it_allows(as_user, book):
    answer = as_user(book["me"]).get(f"/api/v1/insurance/policies/{book['mine'].id}")
    assert answer.status_code == 200
    body = answer.json
    assert body["number"] == "P-API-1" and body["status"] == "in_force"
    assert [(t["seq"], t["kind"], t["premium_delta"]) for t in body["transactions"]] == [
        (1, "new_business", str(Decimal("12800.50")))
    ]
    assert body["allowed_actions"] == ["endorse", "cancel"]  # the jobs' moves are not offered


def test_another_agents_policy_is_not_found(as_user, book):
    theirs = db.session.scalar(select(Policy.id).where(Policy.number == "P-API-THEIRS"))
    answer = as_user(book["me"]).get(f"/api/v1/insurance/policies/{theirs}")
    assert answer.status_code == 404
    assert as_user(book["other"]).get(f"/api/v1/insurance/policies/{theirs}").status_code == 200
