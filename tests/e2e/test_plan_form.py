"""The follow-up plan form asks for the chosen rule's settings by their
labels, in a real browser: picking another rule shows that rule's fields."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_picking_a_rule_shows_its_settings_and_the_plan_lists_them_by_label(
    page: Page, live_server, make_user
):
    make_user(email="admin@example.com", role="admin", locale="en")
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/admin/follow-up-plans")
    expect(page.locator("#f-name")).to_be_hidden()  # the form opens on demand
    page.get_by_text("New plan", exact=True).click()
    revisit = page.locator('[data-rule-params="service_revisit"]')
    interval = page.locator('[data-rule-params="customer_interval"]')
    expect(interval).to_be_visible()
    expect(revisit).to_be_hidden()
    page.get_by_label("Rule").select_option("service_revisit")
    expect(revisit).to_be_visible()
    expect(interval).to_be_hidden()
    page.locator("#f-name").fill("Ask after each job")
    revisit.get_by_label("Days after the job is done").fill("2")
    revisit.get_by_label("On a low score").select_option("escalate")
    page.get_by_role("button", name="Create plan").click()
    row = page.locator("tr", has_text="Ask after each job")
    expect(row).to_contain_text("Days after the job is done: 2")
    expect(row).to_contain_text("On a low score: Escalate")
