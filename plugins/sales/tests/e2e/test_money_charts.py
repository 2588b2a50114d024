"""The money reports' charts in a real browser, on the fixed book of
:mod:`plugins.sales.tests.money_world`: each chart draws the hand-worked
figures, keeps core's chart promises (unit in the axis title, whole-number
ticks for counts, a legend for more than one series, the table view lists
the same numbers, readable text) — read through ``Chart.getChart``."""

from __future__ import annotations

from playwright.sync_api import Page

from core.testing.charts import chart_problems, read_charts
from plugins.sales.tests.money_world import money_world  # noqa: F401  (the fixture)

PAGE = "/sales/reports/money?start=2026-02-01&end=2026-05-01&as_of=2026-04-15&currency=CNY"


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


def test_the_money_charts_draw_the_figures(page: Page, live_server, money_world):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, money_world["admin"].email)
    page.goto(f"{live_server}{PAGE}")
    charts = read_charts(page)
    assert errors == []
    assert {
        "money-months-cny",
        "money-months-usd",
        "money-reps-cny",
        "money-aging-cny",
        "money-quotes",
    } <= set(charts)
    assert {id: chart_problems(chart) for id, chart in charts.items()} == dict.fromkeys(charts, [])

    months = charts["money-months-cny"]
    assert [d["label"] for d in months["datasets"]] == ["Contracted", "Net collected"]
    assert [d["data"] for d in months["datasets"]] == [[80000, 150000, 40000], [10000, 70000, 5000]]
    assert "CNY" in months["axes"]["y"]["title"]
    aging = charts["money-aging-cny"]
    assert aging["labels"] == ["Li", "Wang", "Zhao"]
    assert [d["label"] for d in aging["datasets"]] == [
        "Not yet due",
        "1–30 days",
        "31–60 days",
        "61–90 days",
        "Over 90 days",
    ]
    assert aging["datasets"][4]["data"] == [30000, 0, 0]
    quotes = charts["money-quotes"]
    assert quotes["axes"]["y"]["precision"] == 0
    assert quotes["datasets"][0]["data"] == [7, 3, 1, 1, 1, 1, 2]
