"""The insurance reports (plan §3.8) on the fixed book of
``report_fixtures`` (every figure worked out by hand there), through
``/api/v1/insurance/reports/...``: premium written and earned, in force, new
business, the lapse and renewal rates; the scope (an agent's reports count
only their own policies, a team manager's their team's, an admin's all);
currencies never added together; the arguments refused by field."""

from __future__ import annotations

from datetime import date

import pytest

from plugins.insurance.services.terms import today

from .report_fixtures import PERIOD, by, fixed_book, get  # noqa: F401


def test_written_and_earned_premium_by_month(as_user, fixed_book):
    report = get(as_user(fixed_book.ann), "premium")
    rows = by(report["rows"], "group", "currency")
    assert rows[("2024-01", "CNY")]["written"] == "3660.00"
    assert rows[("2024-02", "CNY")]["written"] == "7320.00"
    assert rows[("2024-03", "CNY")]["written"] == "337.00"
    assert [rows[(m, "CNY")]["earned"] for m in ("2024-01", "2024-02", "2024-03")] == [
        "1550.00",
        "1740.00",
        "1581.00",
    ]
    assert [rows[(m, "USD")]["earned"] for m in ("2024-01", "2024-02", "2024-03")] == [
        "31.00",
        "29.00",
        "31.00",
    ]
    totals = by(report["totals"], "currency")
    # never added across currencies: one total per currency
    assert totals["CNY"]["written"] == "11317.00" and totals["CNY"]["earned"] == "4871.00"
    assert totals["USD"]["written"] == "366.00" and totals["USD"]["earned"] == "91.00"
    assert report["first"] == "2024-01-01" and report["last"] == "2024-03-31"


def test_premium_by_product_and_one_currency(as_user, fixed_book):
    report = get(as_user(fixed_book.ann), "premium", PERIOD + "&group_by=product&currency=CNY")
    rows = by(report["rows"], "label")
    assert set(rows) == {"Fleet motor", "Term life"}  # the USD product is filtered out
    assert rows["Term life"]["written"] == "3660.00" and rows["Term life"]["earned"] == "600.00"
    assert rows["Fleet motor"]["written"] == "7657.00"
    assert [t["currency"] for t in report["totals"]] == ["CNY"]


def test_scope_an_agent_a_team_manager_and_an_admin(as_user, fixed_book):
    def march_written(user):
        rows = get(as_user(user), "premium")["rows"]
        return by(rows, "group", "currency")[("2024-03", "CNY")]["written"]

    assert march_written(fixed_book.ann) == "337.00"  # Bob's P9 not counted
    assert march_written(fixed_book.meg) == "337.00"  # Ann's team only
    assert march_written(fixed_book.bob) == "3650.00"
    assert march_written(fixed_book.admin) == "3987.00"
    bob_claims = by(get(as_user(fixed_book.bob), "loss-ratio")["totals"], "currency")
    assert bob_claims["CNY"]["incurred"] == "2000.00" and "USD" not in bob_claims
    agents = by(
        get(as_user(fixed_book.admin), "new-business", PERIOD + "&group_by=agent")["rows"],
        "label",
        "currency",
    )
    assert agents[("Ann Agent", "CNY")]["count"] == 4
    assert agents[("Bob Agent", "CNY")]["count"] == 1


def test_in_force_at_month_ends(as_user, fixed_book):
    report = get(as_user(fixed_book.ann), "in-force")
    assert [(r["month"], r["count"]) for r in report["rows"]] == [
        ("2024-01", 7),
        ("2024-02", 6),
        ("2024-03", 5),
    ]
    # now: P11's third term (2026-01-01 … 2026-12-31) while it lasts
    assert report["totals"] == [{"now": 1 if today() <= date(2026, 12, 31) else 0}]
    usd = get(as_user(fixed_book.ann), "in-force", PERIOD + "&currency=USD")
    assert [r["count"] for r in usd["rows"]] == [1, 1, 1]
    lines = get(as_user(fixed_book.ann), "in-force", PERIOD + "&group_by=line")
    march = {r["label"]: r["count"] for r in lines["rows"] if r["month"] == "2024-03"}
    assert march == {"Motor": 3, "Life": 1, "Property": 1}  # P1 P2 P5 · P10 · P11 (USD)


def test_new_business(as_user, fixed_book):
    report = get(as_user(fixed_book.ann), "new-business")
    rows = by(report["rows"], "group", "currency")
    assert (rows[("2024-01", "CNY")]["count"], rows[("2024-01", "CNY")]["ape"]) == (3, "11346.00")
    assert (rows[("2024-02", "CNY")]["count"], rows[("2024-02", "CNY")]["ape"]) == (1, "3660.00")
    assert (rows[("2024-01", "USD")]["count"], rows[("2024-01", "USD")]["ape"]) == (1, "366.00")
    assert ("2024-03", "CNY") not in rows  # P5 is a renewal term, not new business
    totals = by(report["totals"], "currency")
    assert totals["CNY"] == {"currency": "CNY", "count": 4, "ape": "15006.00"}


def test_lapse_rate(as_user, fixed_book):
    report = get(as_user(fixed_book.ann), "lapse-rate")
    rows = by(report["rows"], "group")
    assert (rows["2024-02"]["lapses"], rows["2024-02"]["in_force_start"]) == (1, 7)
    assert (rows["2024-02"]["in_force_end"], rows["2024-02"]["rate"]) == (6, "0.1538")
    assert rows["2024-01"]["rate"] == "0.0000" and rows["2024-03"]["rate"] == "0.0000"
    assert report["totals"] == [
        {"lapses": 1, "in_force_start": 4, "in_force_end": 5, "rate": "0.2222"}
    ]


def test_renewal_rate(as_user, fixed_book):
    report = get(as_user(fixed_book.ann), "renewal-rate")
    rows = by(report["rows"], "group")
    assert (rows["2024-01"]["lost"], rows["2024-01"]["rate"]) == (1, "0.0000")
    assert (rows["2024-02"]["expired"], rows["2024-03"]["renewed"]) == (1, 1)
    assert rows["2024-03"]["rate"] == "1.0000"
    assert report["totals"][0] == {
        "renewed": 1,
        "lost": 1,
        "expired": 1,
        "open": 0,
        "rate": "0.3333",
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2024-05&to=2024-03", "to"),
        ("from=2024-13", "from"),
        ("group_by=colour", "group_by"),
        ("currency=cny", "currency"),
        ("from=2020-01&to=2025-12", "to"),
    ],
)
def test_bad_arguments_are_refused_by_field(as_user, fixed_book, query, field):
    answer = as_user(fixed_book.ann).get(f"/api/v1/insurance/reports/premium?{query}")
    assert answer.status_code == 422
    assert field in str(answer.json)


def test_reports_need_the_permission_and_are_in_openapi(as_user, make_user, client):
    assessor = make_user(role="claims_assessor")
    assert as_user(assessor).get("/api/v1/insurance/reports/premium").status_code == 403
    spec = client.get("/api/v1/openapi.json").json
    for name in ("premium", "in-force", "persistency", "callback-compliance"):
        assert f"/api/v1/insurance/reports/{name}" in spec["paths"]
