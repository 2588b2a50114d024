"""The customer journey: the funnel known → contacted → (the steps plugins
declare) → bought → bought again, checked against counts worked out by hand
on a fixed set, through the asker's scope and the steps picked; a
customer's steps in their order with their dates; a step the user may not
see left out; the pages in both locales."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, Numeric, literal, select, union_all

from core.api import Activity, JourneyStep, MoneyEvent, Permission, UTCDateTime, db, utcnow
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

    The probe plugin also declares two steps: ``probe.deal`` (order 30),
    reached by A 25 days ago, C 3 days ago and E 4 days ago, and
    ``probe.secret`` (order 40, only for who holds ``probe.secret.read``:
    the admin, not the rep), reached by A 22 days ago.
    """
    paid: list[tuple[int, datetime, float]] = []
    firsts: dict[str, list[tuple[int, datetime]]] = {"deal": [], "secret": []}

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

    def reached(name):
        def select_rows():
            return union_all(
                *(
                    select(
                        literal(cid, Integer).label("customer_id"),
                        literal(at, UTCDateTime()).label("first_at"),
                    )
                    for cid, at in firsts[name]
                )
            )

        return select_rows

    register_plugin(
        plugin_module(
            "probe",
            trellis_permissions=lambda: [Permission("probe.secret.read", "Secret")],
            trellis_money_events=lambda: [MoneyEvent("probe.sale", "S", rows)],
            trellis_journey_steps=lambda: [
                JourneyStep(
                    "probe.secret", "Secret step", reached("secret"), 40, "probe.secret.read"
                ),
                JourneyStep("probe.deal", "Probe deal", reached("deal"), 30),
            ],
        )
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
    for name, step, days in (("A", "deal", 25), ("C", "deal", 3), ("E", "deal", 4)):
        firsts[step].append((names[name].id, now - days * DAY))
    firsts["secret"].append((names["A"].id, now - 22 * DAY))
    return {"admin": admin, "rep": rep, **names}


SHARED = "known,contacted,bought,bought_again"


def _steps(api, **params):
    answer = api.get(f"{API}/journeys", query_string=params)
    assert answer.status_code == 200, answer.json
    return [(s["step"], s["count"], s["rate"], s["dropped"]) for s in answer.json["steps"]]


def test_the_funnel_counts_each_step_after_every_step_before(journeys, as_user):
    assert _steps(as_user(journeys["admin"]), steps=SHARED) == [
        ("known", 5, None, None),
        ("contacted", 3, 60.0, 2),
        ("bought", 2, 66.7, 1),
        ("bought_again", 1, 50.0, 1),
    ]
    assert _steps(as_user(journeys["rep"]), steps=SHARED) == [
        ("known", 2, None, None),
        ("contacted", 1, 50.0, 1),
        ("bought", 1, 100.0, 0),
        ("bought_again", 1, 100.0, 0),
    ]


def test_the_funnel_takes_a_period_and_a_segment(journeys, as_user):
    api = as_user(journeys["admin"])
    tomorrow = (utcnow() + 2 * DAY).date().isoformat()
    assert _steps(api, since=tomorrow, until=tomorrow)[0] == ("known", 0, None, None)
    assert _steps(api, since=tomorrow, until=tomorrow, steps=SHARED)[-1][1] == 0
    named = [{"field": "name", "op": "equals", "value": "A"}]
    segment = api.post(f"{API}/segments", json={"name": "A", "conditions": named}).json
    by_segment = _steps(api, segment_id=segment["id"], steps=f"{SHARED},probe.deal")
    assert [s[1] for s in by_segment] == [1, 1, 1, 1, 1]
    unknown = api.get(f"{API}/journeys?segment_id=999999")
    assert unknown.status_code == 422 and "segment_id" in unknown.json["errors"]
    wrong = api.get(f"{API}/journeys?since=2026-05-01&until=2026-04-01")
    assert wrong.status_code == 422 and "until" in wrong.json["errors"]


def test_the_funnel_takes_declared_steps_in_their_order(journeys, as_user):
    """With probe.deal (order 30) between contacted and bought, by hand:
    admin — known 5; contacted 3 (A, B, E); probe.deal 2 (A, E: 66.7 %, 1
    stopped); bought 1 (A: 50.0 %); bought again 1 (100.0 %). The rep —
    known 2 (A, C); contacted 1 (A); probe.deal 1; bought 1; again 1. The
    steps come in their order however they are asked: repeated, comma lists."""
    asked = {"steps": ["bought_again,probe.deal", "known", "contacted,bought"]}
    assert _steps(as_user(journeys["admin"]), **asked) == [
        ("known", 5, None, None),
        ("contacted", 3, 60.0, 2),
        ("probe.deal", 2, 66.7, 1),
        ("bought", 1, 50.0, 1),
        ("bought_again", 1, 100.0, 0),
    ]
    assert _steps(as_user(journeys["rep"]), **asked) == [
        ("known", 2, None, None),
        ("contacted", 1, 50.0, 1),
        ("probe.deal", 1, 100.0, 0),
        ("bought", 1, 100.0, 0),
        ("bought_again", 1, 100.0, 0),
    ]
    # the secret step after the deal: A only (50.0 % of A and E)
    secret = _steps(as_user(journeys["admin"]), steps="contacted,probe.deal,probe.secret")
    assert secret == [
        ("contacted", 3, None, None),
        ("probe.deal", 2, 66.7, 1),
        ("probe.secret", 1, 50.0, 1),
    ]


def test_the_default_funnel_is_the_shared_steps_and_declared_ones_are_picked(journeys, as_user):
    """By default the four steps every industry shares; the declared steps
    the user may see are picked by key, come in their order, and a step the
    user may not see is refused (422 naming ``steps``)."""
    admin, rep = as_user(journeys["admin"]), as_user(journeys["rep"])
    for api in (admin, rep):
        answer = api.get(f"{API}/journeys").json["steps"]
        assert [s["step"] for s in answer] == ["known", "contacted", "bought", "bought_again"]
    picked = admin.get(f"{API}/journeys?steps=bought,probe.secret,known,probe.deal").json["steps"]
    keys = [s["step"] for s in picked]
    assert [s["order"] for s in picked] == sorted(s["order"] for s in picked)
    assert keys[0] == "known" and keys.index("probe.deal") < keys.index("bought")
    assert set(keys) == {"known", "probe.deal", "probe.secret", "bought"}
    assert {s["step"]: s["label"] for s in picked}["probe.deal"] == "Probe deal"
    refused = rep.get(f"{API}/journeys?steps=known,probe.secret")
    assert refused.status_code == 422 and "probe.secret" in refused.json["errors"]["steps"][0]
    unknown = admin.get(f"{API}/journeys?steps=known&steps=nope")
    assert unknown.status_code == 422 and list(unknown.json["errors"]) == ["steps"]


def test_a_customers_journey_has_its_steps_dates_in_their_order(journeys, as_user):
    api = as_user(journeys["admin"])
    answer = api.get(f"{API}/journeys/{journeys['A'].id}").json
    keys = [s["step"] for s in answer["steps"]]
    assert [s["order"] for s in answer["steps"]] == sorted(s["order"] for s in answer["steps"])
    ours = ["known", "contacted", "probe.deal", "probe.secret", "bought", "bought_again"]
    assert [k for k in keys if k in ours] == ours
    reached = {s["step"]: s["at"] for s in answer["steps"]}
    now = utcnow()
    assert reached["known"] is not None
    for step, days in (
        ("contacted", 30),
        ("probe.deal", 25),
        ("probe.secret", 22),
        ("bought", 20),
        ("bought_again", 10),
    ):
        at = datetime.fromisoformat(reached[step]).astimezone(UTC)
        assert abs(at - (now - days * DAY)) < timedelta(minutes=5), step
    assert sum(n for m in answer["months"] for n in m["kinds"].values()) == 1  # the call
    e = api.get(f"{API}/journeys/{journeys['E'].id}").json
    assert [s["step"] for s in e["steps"] if s["at"]] == ["known", "contacted", "probe.deal"]
    rep = as_user(journeys["rep"])
    mine = rep.get(f"{API}/journeys/{journeys['A'].id}").json
    assert "probe.secret" not in [s["step"] for s in mine["steps"]]
    assert "probe.deal" in [s["step"] for s in mine["steps"]]
    # the rep may not see B
    assert rep.get(f"{API}/journeys/{journeys['B'].id}").status_code == 404


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_journey_pages(journeys, make_user, login_as, locale):
    client = login_as(make_user(role="admin", locale=locale))
    page = client.get("/marketing/journey")
    assert page.status_code == 200
    assert ("Bought again" in page.text) == (locale == "en")
    assert ("再次购买" in page.text) == (locale == "zh_CN")
    assert '<tr id="step-bought_again"><th scope="row">' in page.text
    assert '<tr id="step-probe.deal">' not in page.text  # declared steps: picked by the user
    assert 'name="steps" value="probe.secret">' in page.text
    picked = client.get("/marketing/journey?steps=known,probe.deal&steps=bought")
    assert picked.status_code == 200
    assert 'name="steps" value="probe.deal" checked' in picked.text
    assert 'name="steps" value="contacted">' in picked.text  # not picked
    rows = [line for line in picked.text.splitlines() if '<tr id="step-' in line]
    assert [r.split('"')[1] for r in rows] == ["step-known", "step-probe.deal", "step-bought"]
    wrong = client.get("/marketing/journey?steps=nope")
    assert wrong.status_code == 422 and 'id="e-steps"' in wrong.text and "nope" in wrong.text
    tab = client.get(f"/marketing/customers/{journeys['A'].id}/journey")
    assert tab.status_code == 200 and 'id="journey-bought_again"' in tab.text
    at = {key: tab.text.index(f'id="journey-{key}"') for key in ("known", "probe.deal", "bought")}
    assert at["known"] < at["probe.deal"] < at["bought"]
    assert 'id="journey-probe.secret"' in tab.text


def test_the_tab_leaves_out_a_step_the_user_may_not_see(journeys, login_as):
    tab = login_as(journeys["rep"]).get(f"/marketing/customers/{journeys['A'].id}/journey")
    assert tab.status_code == 200
    assert 'id="journey-probe.deal"' in tab.text and "Secret step" not in tab.text
    assert 'id="journey-probe.secret"' not in tab.text
