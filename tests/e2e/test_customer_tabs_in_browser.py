"""The customer's page as tabs in a real browser: a plugin's tab loads on
click, the arrow keys move between tabs, the address follows the chosen tab
(back and reload show it again), a quick action shows the timeline, and the
page does not scroll sideways at phone width."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from core.api import db


def a_customer_with_a_deal(make_user, make_customer):
    from plugins.sales.models import Deal, Pipeline, Stage

    admin = make_user(role="admin", email="admin@example.com", locale="en")
    customer = make_customer(
        name="Tabbed Tea Co " * 4, owner_id=admin.id, phones=["+8613800138000"]
    )
    pipeline = Pipeline(name="Tabs pipeline")
    db.session.add(pipeline)
    db.session.flush()
    stage = Stage(pipeline_id=pipeline.id, name="Qualify", position=0)
    db.session.add(stage)
    db.session.flush()
    db.session.add(
        Deal(
            title="Spring order",
            customer_id=customer.id,
            pipeline_id=pipeline.id,
            stage_id=stage.id,
            amount=Decimal(100),
            owner_id=admin.id,
        )
    )
    db.session.commit()
    return customer


def test_tabs_load_on_demand_follow_the_keyboard_and_the_address(
    page: Page, live_server, make_user, make_customer, shoot
):
    customer = a_customer_with_a_deal(make_user, make_customer)
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    url = f"{live_server}/customers/{customer.id}"
    page.goto(url)
    tabs = page.get_by_role("tablist")
    deals = tabs.get_by_role("tab", name="Deals")
    expect(page.locator("#panel-deals")).to_be_empty()  # not rendered until asked for
    expect(page.get_by_role("tab", selected=True)).to_have_text("Overview")

    deals.click()
    expect(deals).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel")).to_contain_text("Spring order")
    expect(page).to_have_url(f"{url}?tab=deals")

    deals.press("ArrowRight")  # work orders, the next tab
    orders = tabs.get_by_role("tab", name="Work orders")
    expect(orders).to_be_focused()
    expect(orders).to_have_attribute("aria-selected", "true")
    expect(deals).to_have_attribute("aria-selected", "false")
    expect(page.locator("#panel-work_orders")).to_be_visible()
    expect(page.locator("#panel-deals")).to_be_hidden()
    expect(page).to_have_url(f"{url}?tab=work_orders")
    orders.press("Home")
    expect(tabs.get_by_role("tab", name="Overview")).to_be_focused()
    page.keyboard.press("ArrowLeft")  # wraps round to the last tab
    last = tabs.get_by_role("tab").last  # the sales plugin's billing details
    expect(last).to_have_text("Billing details")
    expect(last).to_be_focused()
    expect(last).to_have_attribute("aria-selected", "true")

    tabs.get_by_role("tab", name="Timeline").click()
    expect(page).to_have_url(f"{url}?tab=timeline")
    page.go_back()
    expect(page).to_have_url(f"{url}?tab=billing")
    expect(last).to_have_attribute("aria-selected", "true")
    page.reload()
    expect(page.get_by_role("tab", selected=True)).to_have_text("Billing details")

    call = page.locator("form", has=page.get_by_role("button", name="Log call"))
    call.get_by_label("Summary").fill("Asked about the spring order")
    call.get_by_role("button", name="Log call").click()
    expect(page.get_by_role("tab", selected=True)).to_have_text("Timeline")
    expect(page.get_by_role("tabpanel")).to_contain_text("Asked about the spring order")
    expect(page).to_have_url(f"{url}?tab=timeline")
    shoot(page, "customer-tabs")

    page.set_viewport_size({"width": 360, "height": 740})
    for tab in ("Overview", "Timeline", "Deals"):
        tabs.get_by_role("tab", name=tab).click()
        expect(page.get_by_role("tabpanel")).not_to_be_empty()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (tab, overflow)
    shoot(page, "customer-tabs-phone")
    assert re.search(r"\?tab=deals$", page.url)
