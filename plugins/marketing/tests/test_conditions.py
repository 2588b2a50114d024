"""Every operator of every kind of field, on a real database: the members a
condition finds are the customers a hand check says, ``not`` included."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.api import User, db, utcnow
from plugins.marketing.services import segments
from plugins.marketing.services.conditions import check


def members(match, *conditions, user=None):
    """The names of the members ``user`` (the admin by default) sees."""
    stored = [{"value": None, "days": None, "negate": False, **c} for c in conditions]
    user = user or db.session.scalar(select(User).where(User.email == "admin@example.com"))
    query = segments.members_query({"match": match, "conditions": stored}, user)
    return sorted(c.name for c in db.session.scalars(query))


@pytest.fixture
def base(make_customer, make_user, make_activity):
    """Four customers whose fields, tags and activities differ."""
    make_user(role="admin", email="admin@example.com")
    rep = make_user(role="sales", name="Rep")
    a = make_customer(
        name="Acme Ltd",
        stage="customer",
        grade="A",
        industry="Retail",
        city="Shanghai",
        tags=["key account"],
        owner_id=rep.id,
    )
    b = make_customer(name="Beta Co", stage="lead", grade="B", industry="Retail Banking")
    c = make_customer(name="Gamma", stage="vip", kind="person", city="Beijing")
    d = make_customer(name="acme north", stage="churned", grade="D", tags=["Key Account", "cold"])
    now = utcnow()
    make_activity(customer=a, occurred_at=now.isoformat())
    make_activity(customer=a, occurred_at=(now - timedelta(days=40)).isoformat())
    make_activity(customer=b, occurred_at=(now - timedelta(days=5)).isoformat())
    a.last_contacted_at = now - timedelta(days=2)
    b.last_contacted_at = now - timedelta(days=90)
    db.session.commit()
    return {"rep": rep, "a": a, "b": b, "c": c, "d": d}


def test_text_fields_compare_without_case_and_treat_wildcards_as_text(base):
    assert members("all", {"field": "name", "op": "starts_with", "value": "ACME"}) == [
        "Acme Ltd",
        "acme north",
    ]
    assert members("all", {"field": "name", "op": "equals", "value": " gamma "}) == ["Gamma"]
    assert members("all", {"field": "industry", "op": "contains", "value": "bank"}) == ["Beta Co"]
    assert members("all", {"field": "name", "op": "contains", "value": "%"}) == []
    assert members("all", {"field": "city", "op": "empty"}) == ["Beta Co", "acme north"]


def test_choices_ids_and_the_team_subtree(base, make_user):
    assert members("all", {"field": "stage", "op": "is", "value": "lead"}) == ["Beta Co"]
    assert members("all", {"field": "grade", "op": "in", "value": ["A", "D"]}) == [
        "Acme Ltd",
        "acme north",
    ]
    assert members("all", {"field": "grade", "op": "empty"}) == ["Gamma"]
    assert members("all", {"field": "kind", "op": "is", "value": "person"}) == ["Gamma"]
    rep = base["rep"]
    assert members("all", {"field": "owner_id", "op": "is", "value": rep.id}) == ["Acme Ltd"]


def test_tags_recency_and_activity_counts(base):
    assert members("all", {"field": "tag", "op": "has", "value": "KEY ACCOUNT"}) == [
        "Acme Ltd",
        "acme north",
    ]
    recent = {"field": "last_contacted_at", "op": "within_days", "value": 30}
    assert members("all", recent) == ["Acme Ltd"]
    assert members("all", {**recent, "op": "older_than_days"}) == ["Beta Co"]
    assert members("all", {"field": "last_contacted_at", "op": "empty"}) == ["Gamma", "acme north"]
    two = {"field": "activities", "op": "at_least", "value": 2}
    assert members("all", two) == ["Acme Ltd"]
    assert members("all", {**two, "days": 30}) == []
    assert members("all", {"field": "activities", "op": "at_most", "value": 0}) == [
        "Gamma",
        "acme north",
    ]


def test_all_any_and_not_combine_as_the_words_say(base):
    retail = {"field": "industry", "op": "contains", "value": "retail"}
    lead = {"field": "stage", "op": "is", "value": "lead"}
    assert members("all", retail, lead) == ["Beta Co"]
    assert members("any", lead, {"field": "kind", "op": "is", "value": "person"}) == [
        "Beta Co",
        "Gamma",
    ]
    # not: the customers without an industry count as "not retail" too
    assert members("all", {**retail, "negate": True}) == ["Gamma", "acme north"]
    assert members("all") == ["Acme Ltd", "Beta Co", "Gamma", "acme north"]
    assert members("any") == []


def test_members_are_only_the_customers_the_user_may_see(base):
    everyone = {"field": "name", "op": "contains", "value": "a"}
    assert members("all", everyone, user=base["rep"]) == ["Acme Ltd"]


@pytest.mark.parametrize(
    "condition, key",
    [
        ({"field": "nope", "op": "is", "value": "x"}, "field"),
        ({"field": "name", "op": "at_least", "value": 1}, "op"),
        ({"field": "name", "op": "contains", "value": "  "}, "value"),
        ({"field": "stage", "op": "is", "value": "gold"}, "value"),
        ({"field": "grade", "op": "in", "value": []}, "value"),
        ({"field": "owner_id", "op": "is", "value": "me"}, "value"),
        ({"field": "last_contacted_at", "op": "within_days", "value": -1}, "value"),
        ({"field": "activities", "op": "at_least", "value": True}, "value"),
        ({"field": "activities", "op": "at_least", "value": 1, "days": 0}, "days"),
        ({"field": "custom.missing", "op": "equals", "value": "x"}, "field"),
    ],
)
def test_a_wrong_condition_names_what_is_wrong(app, condition, key):
    assert list(check(condition)) == [key]
