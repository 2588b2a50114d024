"""The account managers' four figures, against numbers worked out by hand
on a fixed set, per manager and per team, through the asker's scope; the
page in both locales."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Integer, Numeric, literal, select, union_all

from core.api import MoneyEvent, db, utcnow
from core.testing import plugin_module
from plugins.marketing.models import RfmRun, RfmScore

API = "/api/v1/marketing"
DAY = timedelta(days=1)


@pytest.fixture
def book(make_user, make_customer, register_plugin):
    """Two account managers (reps) and an admin.

    - Ann owns A (all six fields filled: 6/6) and B (none: 0/6);
    - Bo owns C (a phone and an industry: 2/6).
    Money: A +100 and −20 (a refund) in the period, B +50 400 days ago,
    C +30 in the period. All three were created now, in the period.
    The latest RFM run scored A valuable (m 5) at risk (churn 70) and B
    valuable (m 4) not at risk (churn 10); C m 2.

    By hand — Ann: 2 customers, money 80, average 40.00; 2 created, both
    have bought (B's payment is older than the period but counts as bought):
    conversion 1.0; valuable 2, at risk 1 → 0.5; completeness (1 + 0) / 2
    = 0.5. Bo: 1 customer, money 30, average 30.00; conversion 1/1; no
    valuable customer (share None); completeness 2/6 = 0.3333.
    """
    paid: list = []

    def rows():
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
    ann, bo = make_user(role="sales", name="Ann"), make_user(role="sales", name="Bo")
    admin = make_user(role="admin")
    a = make_customer(
        name="A",
        owner_id=ann.id,
        phones=["13800138000"],
        emails=["a@example.com"],
        industry="Retail",
        region="East",
        source="Fair",
        grade="A",
    )
    b = make_customer(name="B", owner_id=ann.id)
    c = make_customer(name="C", owner_id=bo.id, phones=["13900139000"], industry="Food")
    now = utcnow()
    paid += [(a.id, now - DAY, 100), (a.id, now - DAY, -20), (b.id, now - 400 * DAY, 50)]
    paid += [(c.id, now - 2 * DAY, 30)]
    run = RfmRun(status="done", as_of=now, window_days=365, finished_at=now)
    db.session.add(run)
    db.session.flush()
    for customer, m, churn in ((a, 5, 70), (b, 4, 10), (c, 2, 80)):
        db.session.add(RfmScore(run_id=run.id, customer_id=customer.id, m=m, churn_score=churn))
    db.session.commit()
    return {"ann": ann, "bo": bo, "admin": admin}


def _rows(api, **params):
    answer = api.get(f"{API}/kpis", query_string=params)
    assert answer.status_code == 200, answer.json
    return {r["name"]: r for r in answer.json["rows"]}


def test_the_figures_per_account_manager(book, as_user):
    rows = _rows(as_user(book["admin"]))
    ann, bo = rows["Ann"], rows["Bo"]
    assert (ann["customers"], ann["revenue"], ann["average_value"]) == (2, 80.0, 40.0)
    assert (ann["created"], ann["converted"], ann["conversion"]) == (2, 2, 1.0)
    assert (ann["valuable"], ann["at_risk"], ann["at_risk_share"]) == (2, 1, 0.5)
    assert ann["completeness"] == 0.5
    assert (bo["customers"], bo["revenue"], bo["average_value"]) == (1, 30.0, 30.0)
    assert (bo["conversion"], bo["valuable"], bo["at_risk_share"]) == (1.0, 0, None)
    assert bo["completeness"] == 0.3333


def test_a_rep_sees_only_their_own_row_and_a_period_narrows_the_money(book, as_user):
    rows = _rows(as_user(book["bo"]))
    assert list(rows) == ["Bo"]
    today = utcnow().date()
    # 500 to 300 days ago: B's payment only; nobody was created then
    old = {"since": (today - 500 * DAY).isoformat(), "until": (today - 300 * DAY).isoformat()}
    ann = _rows(as_user(book["admin"]), **old)["Ann"]
    assert (ann["revenue"], ann["average_value"], ann["created"], ann["conversion"]) == (
        50.0,
        25.0,
        0,
        None,
    )
    teams = as_user(book["admin"]).get(f"{API}/kpis?by=team").json
    assert teams["by"] == "team" and sum(r["customers"] for r in teams["rows"]) == 3
    assert as_user(book["admin"]).get(f"{API}/kpis?by=nobody").status_code == 422


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_dashboard_page(book, make_user, login_as, locale):
    client = login_as(make_user(role="admin", locale=locale))
    page = client.get("/marketing/kpis")
    assert page.status_code == 200
    assert ("Average customer value" in page.text) == (locale == "en")
    assert ("平均客户价值" in page.text) == (locale == "zh_CN")
    assert '<th scope="row">Ann</th>' in page.text
    assert client.get("/marketing/kpis?by=team").status_code == 200
