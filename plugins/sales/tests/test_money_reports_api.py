"""``/api/v1/sales/reports/...`` money reports over HTTP, on the fixed book of
:mod:`.money_world`: the figures, the defaults, the refusals, the
permission and the OpenAPI document."""

from __future__ import annotations

from .money_world import money_world  # noqa: F401  (the fixture)

BASE = "/api/v1/sales/reports"


def test_aging_and_overdue_answer_the_hand_worked_figures(money_world, as_user):
    api = as_user(money_world["admin"])
    aging = api.get(f"{BASE}/aging?as_of=2026-04-15&currency=CNY")
    assert aging.status_code == 200, aging.json
    assert aging.json["total"] == {
        "current": "70000.00",
        "d1_30": "50000.00",
        "d31_60": "40000.00",
        "d61_90": "20000.00",
        "d90_plus": "30000.00",
        "total": "210000.00",
    }
    overdue = api.get(f"{BASE}/overdue?as_of=2026-04-15").json["owners"]
    assert overdue[0] == {
        "owner_id": money_world["li"].id,
        "name": "Li",
        "currency": "CNY",
        "count": 3,
        "amount": "90000.00",
        "oldest_due_date": "2026-01-10",
        "oldest_days": 95,
    }


def test_a_team_filter_narrows_to_the_team_and_its_sub_teams(money_world, as_user):
    api = as_user(money_world["admin"])
    west = api.get(f"{BASE}/aging?as_of=2026-04-15&currency=CNY&team_id={money_world['west'].id}")
    assert [o["name"] for o in west.json["owners"]] == ["Zhao"]
    assert west.json["total"]["total"] == "40000.00"


def test_contracted_vs_collected_collection_and_conversion(money_world, as_user):
    api = as_user(money_world["admin"])
    by_month = api.get(f"{BASE}/contracted-vs-collected?start=2026-03-01&end=2026-05-01&by=month")
    assert by_month.status_code == 200
    rows = {(r["key"], r["currency"]): r for r in by_month.json["rows"]}
    assert rows[("2026-04", "CNY")] == {
        "key": "2026-04",
        "label": "2026-04",
        "currency": "CNY",
        "contracted": "40000.00",
        "collected": "20000.00",
        "reversed": "15000.00",
        "net": "5000.00",
        "rate": "0.1250",
    }
    # the default period is the month of ``start``
    march = api.get(f"{BASE}/contracted-vs-collected?start=2026-03-01").json
    assert (march["end"], march["by"]) == ("2026-04-01", "owner")
    collection = api.get(f"{BASE}/collection?start=2026-03-01&end=2026-05-01&as_of=2026-04-15")
    assert collection.json["rates"][0] == {
        "currency": "CNY",
        "due": "140000.00",
        "collected": "70000.00",
        "rate": "0.5000",
    }
    assert collection.json["dso"][0]["dso"] == "53.3"
    quotes = api.get(f"{BASE}/quote-conversion?start=2026-03-01&end=2026-04-01").json
    assert (quotes["sent"], quotes["contracted"], quotes["contract_rate"]) == (6, 1, "0.1667")
    turnaround = api.get(f"{BASE}/approval-turnaround?start=2026-03-01&end=2026-04-01").json
    large = next(f for f in turnaround["flows"] if f["name"] == "Large contracts")
    assert (large["median_hours"], large["p90_hours"]) == ("7.0", "19.8")


def test_bad_filters_are_422_naming_the_field(money_world, as_user):
    api = as_user(money_world["admin"])
    backwards = api.get(f"{BASE}/quote-conversion?start=2026-04-01&end=2026-03-01")
    assert backwards.status_code == 422 and "end" in str(backwards.json)
    by = api.get(f"{BASE}/contracted-vs-collected?by=customer")
    assert by.status_code == 422 and "by" in str(by.json)
    currency = api.get(f"{BASE}/aging?currency=ZZZ")
    assert currency.status_code == 422 and "currency" in str(currency.json)
    days = api.get(f"{BASE}/collection?days=0")
    assert days.status_code == 422 and "days" in str(days.json)


def test_the_reports_need_sales_report_read(money_world, as_user, make_user):
    from core.api import DataScope, Role, db

    db.session.add(Role(name="viewer_only", permissions=["sales.deal.read"], scope=DataScope.all))
    db.session.commit()
    outsider = as_user(make_user(role="viewer_only", name="Outsider"))
    for path in (
        "aging",
        "overdue",
        "contracted-vs-collected",
        "quote-conversion",
        "approval-turnaround",
        "collection",
    ):
        assert outsider.get(f"{BASE}/{path}").status_code == 403, path


def test_the_money_reports_are_in_the_openapi_document(money_world, as_user):
    spec = as_user(money_world["admin"]).get("/api/v1/openapi.json").json
    for path in (
        "aging",
        "overdue",
        "contracted-vs-collected",
        "quote-conversion",
        "approval-turnaround",
        "collection",
    ):
        assert f"/api/v1/sales/reports/{path}" in spec["paths"], path
