"""In a real browser at phone width (360 px): the journey funnel's steps are
picked with check boxes — the steps every industry shares ticked by
default, the plugins' offered — and the table shows only those picked, in
their order; the customer's Journey tab lists every step with its date. Neither
page scrolls sideways."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from core.api import Activity, db, utcnow

PHONE = {"width": 360, "height": 740}
WIDE = "document.documentElement.scrollWidth - window.innerWidth"


def test_the_funnel_steps_are_picked_and_the_tab_has_every_step_at_phone_width(
    page: Page, live_server, make_user, make_customer, shoot
):
    admin = make_user(role="admin", email="admin@example.com", locale="en")
    customer = make_customer(name="Journey Tea Co", owner_id=admin.id)
    db.session.add(
        Activity(
            customer_id=customer.id,
            kind="call",
            subject="Hello",
            occurred_at=utcnow() - timedelta(days=2),
        )
    )
    db.session.commit()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/marketing/journey")
    steps = page.get_by_role("group", name="Steps of the funnel")
    expect(steps.get_by_role("checkbox", name="Deal won")).not_to_be_checked()
    expect(page.locator("#step-bought_again")).to_be_visible()
    assert page.evaluate(WIDE) <= 0
    steps.get_by_role("checkbox", name="Deal won").check()
    steps.get_by_role("checkbox", name="Bought again").uncheck()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#step-sales\\.won")).to_be_visible()
    expect(page.locator("#step-bought_again")).to_have_count(0)
    expect(page.locator("#step-contacted td.num").first).to_have_text("1")
    expect(steps.get_by_role("checkbox", name="Deal won")).to_be_checked()
    rows = page.locator("table.funnel tbody tr")
    ids = [rows.nth(i).get_attribute("id") for i in range(rows.count())]
    assert ids[:2] == ["step-known", "step-contacted"] and "step-bought" in ids
    assert page.evaluate(WIDE) <= 0
    shoot(page, "marketing-journey-360")

    page.goto(f"{live_server}/customers/{customer.id}?tab=journey")
    tab = page.get_by_role("tabpanel")
    expect(tab.locator("#journey-contacted time")).to_be_visible()
    expect(tab.locator("#journey-sales\\.won")).to_contain_text("not yet")
    assert page.evaluate(WIDE) <= 0
    shoot(page, "marketing-customer-journey-360")
