"""Agent production and commission variance as reports (API and the
Reports page) on the fixed book of ``report_fixtures`` (period 2024-01 …
2024-03) with, added here, commission lines and carrier statements
(persistency in SQL: ``test_reports_persistency_sql``):

Commission lines (agent amount / expected), carrier Test Mutual:

====  =====  ========  ==========  ========  ========
line  agent  policy    month       agent     expected
====  =====  ========  ==========  ========  ========
L1    Ann    P1        2024-01     90.00     120.00
L2    Ann    P8        2024-01     −30.00    −40.00   (clawback)
L3    Ann    P2        2024-02     45.00     60.00
L4    Ann    P11 USD   2024-01     8.00      10.00
L5    Bob    P9        2024-03     80.00     80.00
L6    Ann    P1        2024-04     400.00    500.00   (after the period)
====  =====  ========  ==========  ========  ========

**Agent production** (terms issued in the period: term 1 new, later terms
renewals; written = Σ premium delta booked; lapses booked):

- Ann CNY: new P1 3660 + P2 4026 + P8 3660 + P10 3660 = 4 / 15006.00;
  renewal P5 (term 2, issued 03-20) 1 / 3650.00; written 3660 + 7320 + 337
  = 11317.00 (P5's renewal is booked 04-01); lapses P3 = 1; commission
  L1 + L2 + L3 = 90 − 30 + 45 = 105.00. Rank 1 in CNY.
- Bob CNY: new P9 1 / 3650.00; written 3650.00; commission L5 80.00. Rank 2.
- Ann USD: new P11 1 / 366.00; written 366.00; commission L4 8.00. Rank 1.
- Totals CNY: 5 / 18656.00, renewals 1 / 3650.00, written 14967.00, lapses
  1, commission 185.00; USD: 1 / 366.00, written 366.00, commission 8.00.
- Ann sees her two rows, Meg (Motor desk) Ann's, Bob his own.

**Commission variance** (statements imported and reconciled here):

- S1 Test Mutual 2024-01: P1 120.00 (matches L1), P8 −40.00 (matches L2),
  X-404 15.00 (unknown) → received 95.00, expected 80.00, variance 15.00,
  2 matched, 1 not.
- S2 Test Mutual 2024-02: P2 55.00 against L3's 60.00 → variance −5.00.
- S3 Test Mutual 2024-02: P10 30.00, no line → expected 0, variance 30.00.
- S4 Test Mutual 2024-01 in USD: P11 10.00 (matches L4).
- S5 Bare Insurance 2024-03: X-1 5.00 (unknown: in the instance's
  currency, USD in the tests).
- S6 Test Mutual 2024-04: P1 500.00 (after the period).

Rows: (Test Mutual, 2024-01, CNY) 1 statement 95.00 / 80.00 / 15.00, 2 /
1; (Test Mutual, 2024-01, USD) 1, 10.00 / 10.00 / 0.00, 1 / 0; (Test
Mutual, 2024-02, CNY) 2, 85.00 / 60.00 / 25.00, 0 / 2; (Bare Insurance,
2024-03, USD) 1, 5.00 / 0.00 / 5.00, 0 / 1. Totals CNY 3 statements,
180.00 / 140.00 / 40.00, 2 / 3; USD 2, 15.00 / 10.00 / 5.00, 1 / 1.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.api import db
from core.testing.charts import table_views
from plugins.insurance.models import Carrier, CommissionLine
from plugins.insurance.services.commission.statements import import_statement

from .report_fixtures import PERIOD, by, d, fixed_book, get  # noqa: F401

REPORTS = "/api/v1/insurance/reports"


def line(policy, month: str, agent_amount: str, expected: str, kind="commission"):
    db.session.add(
        CommissionLine(
            kind=kind,
            policy_id=policy.id,
            term_no=policy.term_no,
            basis="first_year",
            carrier_id=policy.carrier_id,
            product_id=policy.product_id,
            agent_id=policy.agent_id,
            team_id=policy.team_id,
            month=d(month),
            currency=policy.currency,
            premium=policy.annual_premium,
            rate=Decimal("0.1000"),
            expected=Decimal(expected),
            agent_amount=Decimal(agent_amount),
        )
    )


@pytest.fixture
def production_book(fixed_book):  # noqa: F811
    p, admin = fixed_book.p, fixed_book.admin
    line(p[1], "2024-01-01", "90.00", "120.00")
    line(p[8], "2024-01-01", "-30.00", "-40.00", kind="clawback")
    line(p[2], "2024-02-01", "45.00", "60.00")
    line(p[11], "2024-01-01", "8.00", "10.00")
    line(p[9], "2024-03-01", "80.00", "80.00")
    line(p[1], "2024-04-01", "400.00", "500.00")
    bare = Carrier(code="BARE", name="Bare Insurance")
    db.session.add(bare)
    db.session.commit()
    test = p[1].carrier_id
    for carrier_id, month, rows in (
        (test, "2024-01-01", "P1,120.00\nP8,-40.00\nX-404,15.00\n"),
        (test, "2024-02-01", "P2,55.00\n"),
        (test, "2024-02-01", "P10,30.00\n"),
        (test, "2024-01-01", "P11,10.00\n"),
        (bare.id, "2024-03-01", "X-1,5.00\n"),
        (test, "2024-04-01", "P1,500.00\n"),
    ):
        data = f"policy_number,commission_amount\n{rows}".encode()
        import_statement(carrier_id, d(month), "statement.csv", data, admin)
    db.session.commit()
    fixed_book.test_carrier, fixed_book.bare = test, bare.id
    return fixed_book


def production(client, query: str = PERIOD) -> dict:
    return get(client, "agent-production", query)


# --- agent production -------------------------------------------------------------


def test_agent_production_per_agent_and_currency(as_user, production_book):
    book = production_book
    report = production(as_user(book.admin))
    assert report["group_by"] == "agent" and report["first"] == "2024-01-01"
    rows = [
        (
            r["rank"],
            r["label"],
            r["currency"],
            r["new_count"],
            r["ape"],
            r["renewals"],
            r["renewal_ape"],
            r["written"],
            r["lapses"],
            r["commission"],
        )
        for r in report["rows"]
    ]
    assert rows == [
        (1, "Ann Agent", "CNY", 4, "15006.00", 1, "3650.00", "11317.00", 1, "105.00"),
        (2, "Bob Agent", "CNY", 1, "3650.00", 0, "0.00", "3650.00", 0, "80.00"),
        (1, "Ann Agent", "USD", 1, "366.00", 0, "0.00", "366.00", 0, "8.00"),
    ]
    assert report["rows"][0]["group"] == str(book.ann.id)
    totals = by(report["totals"], "currency")
    cny = totals["CNY"]
    assert (cny["new_count"], cny["ape"], cny["renewals"], cny["renewal_ape"]) == (
        5,
        "18656.00",
        1,
        "3650.00",
    )
    assert (cny["written"], cny["lapses"], cny["commission"]) == ("14967.00", 1, "185.00")
    usd = totals["USD"]
    assert (usd["new_count"], usd["ape"], usd["written"], usd["commission"]) == (
        1,
        "366.00",
        "366.00",
        "8.00",
    )


def test_agent_production_is_scoped(as_user, production_book):
    book = production_book
    ann = production(as_user(book.ann))["rows"]
    assert [(r["label"], r["currency"]) for r in ann] == [("Ann Agent", c) for c in ("CNY", "USD")]
    bob = production(as_user(book.bob))
    assert [(r["label"], r["commission"]) for r in bob["rows"]] == [("Bob Agent", "80.00")]
    assert [(t["currency"], t["ape"]) for t in bob["totals"]] == [("CNY", "3650.00")]
    team = production(as_user(book.meg))["rows"]
    assert {r["label"] for r in team} == {"Ann Agent"}


def test_agent_production_filters_and_months(as_user, production_book):
    admin = as_user(production_book.admin)
    usd = production(admin, PERIOD + "&currency=USD")
    assert [(r["label"], r["currency"]) for r in usd["rows"]] == [("Ann Agent", "USD")]
    assert usd["currency"] == "USD"
    # April joins: L6's 400.00 and P5's renewal booked 04-01 (3650.00)
    april = by(production(admin, "from=2024-01&to=2024-04")["rows"], "label", "currency")
    ann = april[("Ann Agent", "CNY")]
    assert (ann["commission"], ann["written"]) == ("505.00", "14967.00")
    # March alone: Bob's new business outranks Ann's renewal-only month
    march = production(admin, "from=2024-03&to=2024-03")["rows"]
    assert [(r["rank"], r["label"], r["new_count"], r["renewals"]) for r in march] == [
        (1, "Bob Agent", 1, 0),
        (2, "Ann Agent", 0, 1),
    ]


def test_written_and_lapses_agree_with_the_premium_and_lapse_reports(as_user, production_book):
    """The same written premium as the premium report by agent, the same
    lapses as the lapse rate by agent (there over all currencies)."""
    admin, query = as_user(production_book.admin), "from=2023-07&to=2024-06"
    rows = production(admin, query)["rows"]
    premium = get(admin, "premium", query + "&group_by=agent")["rows"]
    assert {(r["group"], r["currency"]): r["written"] for r in rows if r["written"] != "0.00"} == {
        (r["group"], r["currency"]): r["written"] for r in premium if r["written"] != "0.00"
    }
    lapses: dict[str, int] = {}
    for r in rows:
        lapses[r["group"]] = lapses.get(r["group"], 0) + r["lapses"]
    lapse_rate = get(admin, "lapse-rate", query + "&group_by=agent")["rows"]
    assert {k: n for k, n in lapses.items() if n} == {
        r["group"]: r["lapses"] for r in lapse_rate if r["lapses"]
    }
    assert sum(lapses.values()) == 1 and len(rows) == 3


def test_agent_production_needs_both_permissions(as_user, make_user, production_book):
    assessor = as_user(make_user(role="claims_assessor"))
    assert assessor.get(f"{REPORTS}/agent-production?{PERIOD}").status_code == 403
    bad = as_user(production_book.admin).get(f"{REPORTS}/agent-production?from=2024-13")
    assert bad.status_code == 422 and "from" in str(bad.json)


# --- commission variance ----------------------------------------------------------


def test_commission_variance_per_carrier_and_month(as_user, production_book):
    report = get(as_user(production_book.admin), "commission-variance")
    assert report["group_by"] == "carrier"
    rows = [
        (
            r["label"],
            r["month"],
            r["currency"],
            r["statements"],
            r["received"],
            r["expected"],
            r["variance"],
            r["matched"],
            r["unmatched"],
        )
        for r in report["rows"]
    ]
    assert rows == [
        ("Test Mutual", "2024-01", "CNY", 1, "95.00", "80.00", "15.00", 2, 1),
        ("Test Mutual", "2024-01", "USD", 1, "10.00", "10.00", "0.00", 1, 0),
        ("Test Mutual", "2024-02", "CNY", 2, "85.00", "60.00", "25.00", 0, 2),
        ("Bare Insurance", "2024-03", "USD", 1, "5.00", "0.00", "5.00", 0, 1),
    ]
    assert report["rows"][-1]["group"] == str(production_book.bare)
    totals = by(report["totals"], "currency")
    measures = ("statements", "received", "expected", "variance", "matched", "unmatched")
    assert [totals["CNY"][m] for m in measures] == [3, "180.00", "140.00", "40.00", 2, 3]
    assert [totals["USD"][m] for m in measures] == [2, "15.00", "10.00", "5.00", 1, 1]
    cny = get(as_user(production_book.meg), "commission-variance", PERIOD + "&currency=CNY")
    assert [(r["month"], r["currency"]) for r in cny["rows"]] == [
        ("2024-01", "CNY"),
        ("2024-02", "CNY"),
    ]


def test_commission_variance_needs_the_statements_permission(as_user, production_book):
    answer = as_user(production_book.ann).get(f"{REPORTS}/commission-variance?{PERIOD}")
    assert answer.status_code == 403


def test_both_reports_are_in_openapi(as_user, production_book):
    paths = as_user(production_book.admin).get("/api/v1/openapi.json").json["paths"]
    assert paths, "no OpenAPI document"
    for name in ("agent-production", "commission-variance"):
        operation = paths[f"{REPORTS}/{name}"]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"from", "to", "currency"} <= names and "group_by" not in names


# --- the Reports page -------------------------------------------------------------


def test_the_page_shows_production_and_variance(login_as, production_book):
    html = login_as(production_book.admin).get(f"/insurance/reports?{PERIOD}").text
    assert 'id="report-agent-production"' in html and 'id="report-commission-variance"' in html
    assert "15,006.00" in html and "18,656.00" in html  # Ann's APE; the CNY total
    charts = table_views(html)
    cny = charts["insurance-commission-variance-cny"]
    assert [row[0] for row in cny["rows"]] == ["2024-01", "2024-02", "2024-03"]
    assert [s["values"] for s in cny["data"]["series"]] == [[80.0, 60.0, 0.0], [95.0, 85.0, 0.0]]
    usd = charts["insurance-commission-variance-usd"]["data"]["series"]
    assert [s["values"] for s in usd] == [[10.0, 0.0, 0.0], [10.0, 0.0, 5.0]]


def test_an_agent_sees_their_production_and_no_variance(login_as, production_book):
    html = login_as(production_book.bob).get(f"/insurance/reports?{PERIOD}").text
    assert 'id="report-agent-production"' in html and "80.00" in html
    assert "Ann Agent" not in html and "15,006.00" not in html
    assert 'id="report-commission-variance"' not in html
