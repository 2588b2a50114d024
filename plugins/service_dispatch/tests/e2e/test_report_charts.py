"""The service reports' charts in a real browser, on the plugin's Chinese
demo in both themes: every chart keeps the promises of core's charts
(unit in the axis title; whole-number ticks for counts; a legend for more
than one series; its table view lists the same numbers; text readable at
4.5:1 on its card) — read through ``Chart.getChart`` — utilisation is drawn
in per cent on an axis from 0 to 100 %, and a reader who asked for less
motion gets no animation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from core.api import db
from core.testing.charts import chart_problems, read_charts
from plugins.service_dispatch.demo import load_demo


@pytest.fixture
def chinese_demo(app, make_user, make_customer):
    """The service demo in Chinese: an engineer's work orders in every state,
    visits on site, revisits; an administrator who reads it."""
    admin = make_user(role="admin", locale="zh_CN", name="系统管理员", email="admin@example.com")
    customers = [
        make_customer(name=f"客户{i}", region="上海市", address=f"上海市浦东新区{i}号")
        for i in range(8)
    ]
    load_demo("zh_CN", customers, [admin])
    db.session.commit()
    return admin


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("theme", ["dark", "default"])
def test_service_charts_say_their_units_match_their_tables_and_read_in_either_theme(
    page: Page, live_server, chinese_demo, theme
):
    chinese_demo.theme = theme
    db.session.commit()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, live_server, chinese_demo.email)
    page.goto(f"{live_server}/service/reports")
    charts = read_charts(page)
    assert errors == []
    assert {"service-orders", "service-sla", "service-utilisation"} <= set(charts)
    assert {id: chart_problems(chart) for id, chart in charts.items()} == dict.fromkeys(charts, [])
    assert not any(chart["animated"] for chart in charts.values())

    utilisation = charts["service-utilisation"]
    axis = utilisation["axes"]["y"]
    assert axis["title"].startswith("利用率") and "%" in axis["title"]
    assert axis["min"] == 0 and axis["max"] >= 100
    assert utilisation["headers"][:2] == ["工程师", "利用率"]
    sla = charts["service-sla"]
    assert sla["labels"] == ["按时响应", "按时解决"] and len(sla["datasets"]) == 2  # met, breached
