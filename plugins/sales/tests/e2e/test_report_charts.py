"""The sales reports' charts in a real browser, on the plugin's Chinese demo
in the dark theme: every chart keeps the promises of core's charts (unit in
the axis title, never in the labels; whole-number ticks for counts; a legend
for more than one series; its table view lists the same numbers; text
readable at 4.5:1 on its card) — read through ``Chart.getChart`` — and the
forecast draws its series apart, one chart per currency."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core.api import db
from core.testing.charts import chart_problems, read_charts
from plugins.sales.demo import load_demo


@pytest.fixture
def chinese_demo(app, make_user, make_customer):
    """The sales demo in Chinese (CNY): two reps' customers, deals, leads;
    an administrator who reads it in the dark theme."""
    admin = make_user(role="admin", locale="zh_CN", name="系统管理员", email="admin@example.com")
    admin.theme = "dark"
    reps = [make_user(role="sales", locale="zh_CN", name=name) for name in ("王芳", "李强")]
    customers = [make_customer(name=f"客户{i}", owner_id=reps[i % 2].id) for i in range(9)]
    load_demo("zh_CN", customers, reps)
    db.session.commit()
    return admin


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


def test_sales_charts_say_their_units_match_their_tables_and_read_in_the_dark_theme(
    page: Page, live_server, chinese_demo
):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, chinese_demo.email)
    page.goto(f"{live_server}/sales/reports")
    charts = read_charts(page)
    assert errors == []
    assert {"sales-funnel", "sales-forecast-cny", "sales-owners-cny", "sales-kpis"} <= set(charts)
    assert {id: chart_problems(chart) for id, chart in charts.items()} == dict.fromkeys(charts, [])
    assert all(chart["animated"] for chart in charts.values())  # no wish for less motion here

    forecast = charts["sales-forecast-cny"]
    assert [d["label"] for d in forecast["datasets"]] == ["进行中", "加权", "赢单"]
    title = forecast["axes"]["y"]["title"]
    assert title.startswith("金额") and "CNY" in title
    assert all(label[:4].isdigit() for label in forecast["labels"])  # months, nothing else
    funnel = charts["sales-funnel"]
    assert funnel["axes"]["y"]["precision"] == 0 and funnel["axes"]["x"]["title"] == "阶段"
    assert funnel["headers"][:2] == ["阶段", "到达数"] and funnel["rows"]


def test_the_table_view_button_folds_the_table_by_keyboard(page: Page, live_server, chinese_demo):
    sign_in(page, live_server, chinese_demo.email)
    page.goto(f"{live_server}/sales/reports")
    read_charts(page)
    figure = page.locator("#sales-funnel")
    button, table = figure.locator("[data-chart-table]"), figure.locator("table")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(table).to_be_visible()
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(table).to_be_hidden()
    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(table).to_be_visible()
