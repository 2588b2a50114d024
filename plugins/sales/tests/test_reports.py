"""The reports' new figures against a small data set computed by hand: lead
→ customer conversion, lost reasons, the open pipeline by owner and team,
the account-manager KPIs; who sees what; the page in both locales; bad
filters refused with a 422 that names the field."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.api import Activity, Team, db
from plugins.sales.models import Lead
from plugins.sales.services import deals as deal_service
from plugins.sales.tests.test_deals import new_deal, pipeline, stage  # noqa: F401 (fixture)

JANUARY = "start=2025-01-01&end=2025-02-01"


def at(month: int, day: int, hour: int = 12) -> datetime:
    """A day of 2025; months 0, -1, -2 … are December, November … 2024."""
    return datetime(
        2025 if month > 0 else 2024, month if month > 0 else 12 + month, day, hour, tzinfo=UTC
    )


@pytest.fixture
def book(app, pipeline, make_user, make_customer):  # noqa: F811
    """Two teams. T1: manager M, reps R1 and R2; T2: rep R3. Customers C1 (R1,
    grade A), C2 (R1, B), C3 (R2, C), C4 (R3, B). Deals (2025; month 0 = Dec
    2024, -1 = Nov, -2 = Oct):

    d0 C2  200 USD  Won              created Nov 1,  closed Nov 20   (R1)
    d1 C1 1000 CNY  Proposal → Won   created Dec 1,  closed Jan 10   (R1)
    d2 C1  500 CNY  Lost "Price"     created Jan 2,  closed Jan 20   (R1)
    d3 C2  300 USD  Proposal → Won   created Jan 3,  closed Jan 15   (R1, from lead L1, website)
    d4 C2  700 CNY  open Negotiation created Jan 5,  expected Mar 1  (R1)
    d5 C3 2000 CNY  Lost "Price"     created Jan 4,  closed Jan 25   (R2, from lead L3, referral)
    d6 C3 150000 CNY Won             created Oct 1,  closed Oct 10   (R2)
    d7 C3  400 CNY  open Proposal    created Jan 6,  expected Feb 15 (R2)
    d8 C4  900 CNY  Proposal → Won   created Jan 7,  closed Jan 17   (R3)
    d9 C4  100 CNY  Lost "Timing"    created Jan 8,  closed Feb 5    (R3)

    Leads created in January: L1 (R1, website, converted), L2 (R1, website,
    new), L3 (R2, referral, converted), L4 (R3, website, disqualified); L5
    (R1, website, converted) was created in December.

    Follow-up tasks: R1 due Jan 10 done an hour early (on time), due Jan 12
    done Jan 13 (late), due Jan 14 not done (late), due Feb 10 (outside);
    R2 due Jan 20 done Jan 19; R3 due Jan 20 done on time (at 12:00)."""
    t1, t2 = Team(name="T1"), Team(name="T2")
    db.session.add_all([t1, t2])
    db.session.commit()
    manager = make_user(role="manager", team=t1, name="M")
    r1, r2 = make_user(team=t1, name="R1"), make_user(team=t1, name="R2")
    r3 = make_user(team=t2, name="R3")
    c1 = make_customer(owner_id=r1.id, team_id=t1.id, grade="A")
    c2 = make_customer(owner_id=r1.id, team_id=t1.id, grade="B")
    c3 = make_customer(owner_id=r2.id, team_id=t1.id, grade="C")
    c4 = make_customer(owner_id=r3.id, team_id=t2.id, grade="B")
    rows = {  # key: owner, customer, amount, currency, moves, created, closed, expected
        "d0": (r1, c2, "200", "USD", ["Won"], at(-1, 1), at(-1, 20), None),
        "d1": (r1, c1, "1000", "CNY", ["Proposal", "Won"], at(0, 1), at(1, 10), None),
        "d2": (r1, c1, "500", "CNY", ["Lost:Price"], at(1, 2), at(1, 20), None),
        "d3": (r1, c2, "300", "USD", ["Proposal", "Won"], at(1, 3), at(1, 15), None),
        "d4": (r1, c2, "700", "CNY", ["Proposal", "Negotiation"], at(1, 5), None, date(2025, 3, 1)),
        "d5": (r2, c3, "2000", "CNY", ["Lost:Price"], at(1, 4), at(1, 25), None),
        "d6": (r2, c3, "150000", "CNY", ["Won"], at(-2, 1), at(-2, 10), None),
        "d7": (r2, c3, "400", "CNY", ["Proposal"], at(1, 6), None, date(2025, 2, 15)),
        "d8": (r3, c4, "900", "CNY", ["Proposal", "Won"], at(1, 7), at(1, 17), None),
        "d9": (r3, c4, "100", "CNY", ["Lost:Timing"], at(1, 8), at(2, 5), None),
    }
    deals = {}
    for key, (owner, customer, amount, currency, moves, created, closed, expected) in rows.items():
        deal = new_deal(
            pipeline,
            customer,
            owner,
            title=key,
            amount=amount,
            currency=currency,
            expected_close=expected.isoformat() if expected else None,
        )
        for move in moves:
            name, _, reason = move.partition(":")
            deal_service.move_stage(
                deal, stage(pipeline, name).id, owner, lost_reason=reason or None
            )
        deal.created_at, deal.closed_at = created, closed
        deals[key] = deal
    leads = [
        ("L1", r1, "website", "d3", at(1, 2)),
        ("L2", r1, "website", None, at(1, 3)),
        ("L3", r2, "referral", "d5", at(1, 3)),
        ("L4", r3, "website", None, at(1, 4)),
        ("L5", r1, "website", "d1", at(0, 1)),
    ]
    for name, owner, source, deal_key, created in leads:
        deal = deals.get(deal_key)
        db.session.add(
            Lead(
                name=name,
                source=source,
                owner_id=owner.id,
                team_id=owner.team_id,
                status="converted" if deal else ("disqualified" if name == "L4" else "new"),
                customer_id=deal.customer_id if deal else None,
                deal_id=deal.id if deal else None,
                converted_at=created if deal else None,
                created_at=created,
            )
        )
    tasks = [
        (r1, at(1, 10), at(1, 10, 11)),
        (r1, at(1, 12), at(1, 13)),
        (r1, at(1, 14), None),
        (r1, at(2, 10), None),
        (r2, at(1, 20), at(1, 19)),
        (r3, at(1, 20), at(1, 20)),
    ]
    for owner, due, done in tasks:
        db.session.add(
            Activity(
                kind="task",
                subject="Call back",
                occurred_at=due,
                due_at=due,
                done_at=done,
                owner_id=owner.id,
                customer_id=c1.id,
            )
        )
    db.session.commit()
    admin = make_user(role="admin", name="Admin")
    return {
        "manager": manager,
        "r1": r1,
        "r2": r2,
        "r3": r3,
        "admin": admin,
        "t1": t1,
        "t2": t2,
        "pipeline": pipeline,
        "c1": c1,
        "c2": c2,
        "c3": c3,
        "c4": c4,
    }


def by_name(rows: list[dict]) -> dict:
    return {row["name"]: row for row in rows}


def test_funnel_adds_lost_reasons_pipeline_by_owner_and_team_and_lead_conversion(book, as_user):
    """Deals created in January: d2 d3 d4 d5 d7 d8 d9.
    Lost reasons: Price CNY 2 deals (d2 500 + d5 2000 = 2500.00), Timing CNY 1 (100.00).
    Open pipeline: R1 d4 700 CNY in Negotiation (80 %) → weighted 560.00; R2 d7 400 CNY in
    Proposal (50 %) → 200.00; team T1: 2 deals, 1100.00, weighted 760.00.
    Won d3 (12 days) and d8 (10 days): average cycle 11.0; win rate 2 / (2 + 3 lost) = 0.4.
    Leads created in January: L1 L2 L3 L4, converted L1 L3 → 2 / 4 = 0.5; with source
    website: L1 L2 L4 → 1 / 3 = 0.3333, and the deals only d3 (from L1): 1 won, 0 lost."""
    api = as_user(book["admin"])
    url = f"/api/v1/sales/reports/funnel?pipeline_id={book['pipeline'].id}&{JANUARY}"
    funnel = api.get(url).json
    assert (funnel["won"], funnel["lost"], funnel["open"]) == (2, 3, 2)
    assert funnel["win_rate"] == 0.4 and funnel["average_cycle_days"] == 11.0
    assert funnel["lost_reasons"] == [
        {"reason": "Price", "currency": "CNY", "deals": 2, "amount": "2500.00"},
        {"reason": "Timing", "currency": "CNY", "deals": 1, "amount": "100.00"},
    ]
    assert [
        (r["name"], r["currency"], r["deals"], r["amount"], r["weighted_amount"])
        for r in funnel["by_owner"]
    ] == [("R1", "CNY", 1, "700.00", "560.00"), ("R2", "CNY", 1, "400.00", "200.00")]
    assert [
        (r["team_id"], r["deals"], r["amount"], r["weighted_amount"]) for r in funnel["by_team"]
    ] == [(book["t1"].id, 2, "1100.00", "760.00")]
    assert funnel["lead_conversion"] == {"leads": 4, "converted": 2, "rate": 0.5}
    website = api.get(url + "&source=website").json
    assert website["lead_conversion"] == {"leads": 3, "converted": 1, "rate": 0.3333}
    assert (website["won"], website["lost"], website["open"]) == (1, 0, 0)


def test_forecast_groups_open_deals_by_expected_month_and_won_by_close_month(book, as_user):
    """Created in January: open d4 700 CNY expected March (80 %: 560.00), d7 400 CNY expected
    February (50 %: 200.00); won d3 300 USD and d8 900 CNY closed in January."""
    months = as_user(book["admin"]).get(f"/api/v1/sales/reports/forecast?{JANUARY}").json
    table = {(m["month"], m["currency"]): m for m in months["months"]}
    assert (
        table[("2025-03", "CNY")]["open_amount"],
        table[("2025-03", "CNY")]["weighted_amount"],
    ) == ("700.00", "560.00")
    assert table[("2025-02", "CNY")]["weighted_amount"] == "200.00"
    assert table[("2025-01", "USD")]["won_amount"] == "300.00"
    assert table[("2025-01", "CNY")]["won_amount"] == "900.00"
    assert set(table) == {
        ("2025-01", "CNY"),
        ("2025-01", "USD"),
        ("2025-02", "CNY"),
        ("2025-03", "CNY"),
    }


def test_kpis_match_hand_computed_figures(book, as_user):
    """Closed in January:
    R1 won d1 (1000 CNY, C1) and d3 (300 USD, C2), lost d2 → conversion 2/3 = 0.6667;
       new customers: C1 (d1 is its first win; C2 was won before, d0) → 1;
       customer value CNY 1000.00 / 1 customer, USD 300.00 / 1; valuable lost: C1 (grade A) → 1;
       tasks due in January 3, on time 1 → 0.3333.
    R2 won none, lost d5 → 0.0; valuable lost: C3 (won 150000 CNY ≥ 100000) → 1; tasks 1/1.
    R3 won d8 (900 CNY, C4, its first win) → new 1, conversion 1/1 (d9 closed in February);
       valuable lost 0; tasks 1/1.
    With valuable_amount 200000, C3 is no longer valuable: R2 0."""
    api = as_user(book["admin"])
    rows = by_name(api.get(f"/api/v1/sales/reports/kpis?{JANUARY}").json["owners"])
    assert set(rows) == {"R1", "R2", "R3"}
    r1, r2, r3 = rows["R1"], rows["R2"], rows["R3"]
    assert (r1["won"], r1["lost"], r1["conversion_rate"], r1["new_customers"]) == (2, 1, 0.6667, 1)
    assert r1["customer_value"] == [
        {"currency": "CNY", "won_amount": "1000.00", "customers": 1, "average": "1000.00"},
        {"currency": "USD", "won_amount": "300.00", "customers": 1, "average": "300.00"},
    ]
    assert (
        r1["valuable_customers_lost"],
        r1["tasks_due"],
        r1["tasks_on_time"],
        r1["punctuality"],
    ) == (1, 3, 1, 0.3333)
    assert (r2["won"], r2["lost"], r2["conversion_rate"], r2["new_customers"]) == (0, 1, 0.0, 0)
    assert (r2["valuable_customers_lost"], r2["punctuality"], r2["customer_value"]) == (1, 1.0, [])
    assert (r3["won"], r3["lost"], r3["conversion_rate"], r3["new_customers"]) == (1, 0, 1.0, 1)
    assert (r3["valuable_customers_lost"], r3["punctuality"]) == (0, 1.0)
    assert r3["customer_value"][0]["average"] == "900.00"
    stricter = by_name(
        api.get(f"/api/v1/sales/reports/kpis?{JANUARY}&valuable_amount=200000").json["owners"]
    )
    assert stricter["R2"]["valuable_customers_lost"] == 0
    assert stricter["R1"]["valuable_customers_lost"] == 1  # grade A counts whatever the amount


def test_a_rep_sees_only_their_own_figures_and_a_manager_their_team(book, as_user):
    rep = by_name(as_user(book["r1"]).get(f"/api/v1/sales/reports/kpis?{JANUARY}").json["owners"])
    assert set(rep) == {"R1"} and rep["R1"]["won"] == 2 and rep["R1"]["tasks_due"] == 3
    manager = as_user(book["manager"])
    team = by_name(manager.get(f"/api/v1/sales/reports/kpis?{JANUARY}").json["owners"])
    assert set(team) == {"R1", "R2"}
    funnel = manager.get(
        f"/api/v1/sales/reports/funnel?pipeline_id={book['pipeline'].id}&{JANUARY}"
    ).json
    assert {r["name"] for r in funnel["by_owner"]} == {"R1", "R2"}
    assert [r["reason"] for r in funnel["lost_reasons"]] == ["Price"]  # not R3's Timing
    assert funnel["lead_conversion"]["leads"] == 3  # L1 L2 L3, not R3's L4
    narrowed = by_name(
        manager.get(f"/api/v1/sales/reports/kpis?{JANUARY}&owner_id={book['r2'].id}").json["owners"]
    )
    assert set(narrowed) == {"R2"}
    other_team = manager.get(f"/api/v1/sales/reports/kpis?{JANUARY}&team_id={book['t2'].id}")
    assert other_team.json["owners"] == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("start=2025-13-01", "start"),
        ("owner_id=abc", "owner_id"),
        ("team_id=0", "team_id"),
        ("source=television", "source"),
        ("valuable_amount=-5", "valuable_amount"),
        ("start=2025-02-01&end=2025-01-01", "end"),
    ],
)
def test_bad_report_filters_are_refused_naming_the_field(book, as_user, query, field):
    response = as_user(book["admin"]).get(f"/api/v1/sales/reports/kpis?{query}")
    assert response.status_code == 422 and field in response.json["errors"]
    funnel = as_user(book["admin"]).get(
        f"/api/v1/sales/reports/funnel?pipeline_id={book['pipeline'].id}&{query}"
    )
    assert funnel.status_code == 422 or field == "valuable_amount"


def test_the_reports_page_shows_every_table_in_both_locales(book, login_as):
    admin = book["admin"]
    client = login_as(admin)
    page = client.get(f"/sales/reports?{JANUARY}&team_id=abc")
    assert page.status_code == 200
    text = page.text
    for expected in (
        "Lost reasons",
        "Pipeline by owner",
        "Account manager KPIs",
        "Price",
        "Leads converted to customers",
        'data-chart-kind="bar"',
        "R3",
    ):
        assert expected in text
    admin.locale = "zh_CN"
    db.session.commit()
    chinese = client.get(f"/sales/reports?{JANUARY}&owner_id={book['r1'].id}").text
    for expected in ("销售漏斗", "输单原因", "客户经理考核", "跟进及时率"):
        assert expected in chinese
    assert "Account manager KPIs" not in chinese
