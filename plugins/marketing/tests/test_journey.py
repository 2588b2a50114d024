"""The customer journey: the funnel known → contacted → bought → bought
again, checked against counts worked out by hand on a fixed set, through
the asker's scope; a customer's steps with their dates; the pages in both
locales."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, Numeric, literal, select, union_all

from core.api import Activity, MoneyEvent, db, utcnow
from core.testing import plugin_module

API = "/api/v1/marketing"
DAY = timedelta(days=1)


@pytest.fixture
def journeys(make_user, make_customer, register_plugin):
    """Five customers of two owners (the rep owns A and C):

    - A: a call 30 days ago, payments 20 and 10 days ago  → bought again
    - B: an e-mail 15 days ago, one payment 5 days ago    → bought
    - C: a payment 3 days ago but no contact              → known only
    - D: a note (not a contact) 2 days ago                → known only
    - E: a meeting 4 days ago, a refund (negative) only   → contacted

    By hand, for someone who sees all five: known 5; contacted 3 (A, B, E:
    60.0 % of 5, 2 stopped); bought 2 (A, B: 66.7 % of 3, 1 stopped);
    bought again 1 (A: 50.0 % of 2, 1 stopped). For the rep (A, C): known
    2; contacted 1 (A: 50.0 %); bought 1 (100.0 %); bought again 1 (100.0 %).
    """
    paid: list[tuple[int, datetime, float]] = []

    def rows():
        if not paid:
            return select(
                literal(0, Integer).label("customer_id"),
                literal(utcnow()).label("occurred_at"),
                literal(0, Numeric(12, 2)).label("amount"),
            ).where(literal(False))
        return union_all(
            *(
                select(
                    literal(cid, Integer).label("customer_id"),
                    literal(at).label("occurred_at"),
                    literal(amount, Numeric(12, 2)).label("amount"),
                )
                for cid, at, amount in paid
            )
        )

    register_plugin(
        plugin_module("probe", trellis_money_events=lambda: [MoneyEvent("probe.sale", "S", rows)])
    )
    admin, rep = make_user(role="admin"), make_user(role="sales")
    names = {}
    for name, owner in (("A", rep), ("B", admin), ("C", rep), ("D", admin), ("E", admin)):
        names[name] = make_customer(name=name, owner_id=owner.id)
    now = utcnow()
    for name, kind, days in (
        ("A", "call", 30),
        ("B", "email", 15),
        ("D", "note", 2),
        ("E", "meeting", 4),
    ):
        db.session.add(
            Activity(
                customer_id=names[name].id, kind=kind, subject=kind, occurred_at=now - days * DAY
            )
        )
    db.session.commit()
    for name, days, amount in (
        ("A", 20, 100),
        ("A", 10, 50),
        ("B", 5, 80),
        ("C", 3, 40),
        ("E", 4, -30),
    ):
        paid.append((names[name].id, now - days * DAY, amount))
    return {"admin": admin, "rep": rep, **names}


def _steps(api, **params):
    answer = api.get(f"{API}/journeys", query_string=params)
    assert answer.status_code == 200, answer.json
    return [(s["step"], s["count"], s["rate"], s["dropped"]) for s in answer.json["steps"]]


def test_the_funnel_counts_each_step_after_every_step_before(journeys, as_user):
    assert _steps(as_user(journeys["admin"])) == [
        ("known", 5, None, None),
        ("contacted", 3, 60.0, 2),
        ("bought", 2, 66.7, 1),
        ("bought_again", 1, 50.0, 1),
    ]
    assert _steps(as_user(journeys["rep"])) == [
        ("known", 2, None, None),
        ("contacted", 1, 50.0, 1),
        ("bought", 1, 100.0, 0),
        ("bought_again", 1, 100.0, 0),
    ]


def test_the_funnel_takes_a_period_and_a_segment(journeys, as_user):
    api = as_user(journeys["admin"])
    tomorrow = (utcnow() + 2 * DAY).date().isoformat()
    assert _steps(api, since=tomorrow, until=tomorrow)[0] == ("known", 0, None, None)
    named = [{"field": "name", "op": "equals", "value": "A"}]
    segment = api.post(f"{API}/segments", json={"name": "A", "conditions": named}).json
    assert [s[1] for s in _steps(api, segment_id=segment["id"])] == [1, 1, 1, 1]
    unknown = api.get(f"{API}/journeys?segment_id=999999")
    assert unknown.status_code == 422 and "segment_id" in unknown.json["errors"]
    wrong = api.get(f"{API}/journeys?since=2026-05-01&until=2026-04-01")
    assert wrong.status_code == 422 and "until" in wrong.json["errors"]


def test_a_customers_journey_has_its_steps_dates(journeys, as_user):
    api = as_user(journeys["admin"])
    answer = api.get(f"{API}/journeys/{journeys['A'].id}").json
    reached = {s["step"]: s["at"] for s in answer["steps"]}
    now = utcnow()
    assert reached["known"] is not None
    for step, days in (("contacted", 30), ("bought", 20), ("bought_again", 10)):
        at = datetime.fromisoformat(reached[step]).astimezone(UTC)
        assert abs(at - (now - days * DAY)) < timedelta(minutes=5), step
    assert sum(n for m in answer["months"] for n in m["kinds"].values()) == 1  # the call
    e = api.get(f"{API}/journeys/{journeys['E'].id}").json
    assert [s["step"] for s in e["steps"] if s["at"]] == ["known", "contacted"]
    # the rep may not see B
    assert as_user(journeys["rep"]).get(f"{API}/journeys/{journeys['B'].id}").status_code == 404


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_journey_pages(journeys, make_user, login_as, locale):
    client = login_as(make_user(role="admin", locale=locale))
    page = client.get("/marketing/journey")
    assert page.status_code == 200
    assert ("Bought again" in page.text) == (locale == "en")
    assert ("再次购买" in page.text) == (locale == "zh_CN")
    assert '<tr id="step-bought_again"><th scope="row">' in page.text
    tab = client.get(f"/marketing/customers/{journeys['A'].id}/journey")
    assert tab.status_code == 200 and 'id="journey-bought_again"' in tab.text
