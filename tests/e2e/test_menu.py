"""The main menu in a browser: groups by work that a user folds away (and
finds folded on the next page, except the group of the page shown), and on a
phone a drawer behind the "Menu" button that Escape closes."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def sign_in(page: Page, live_server, make_user, role="admin"):
    make_user(email="menu@example.com", role=role, locale="en")
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("menu@example.com")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_a_folded_group_stays_folded_but_the_current_pages_opens(
    page: Page, live_server, make_user
):
    sign_in(page, live_server, make_user)
    menu = page.get_by_role("navigation", name="Main menu")
    sales = menu.locator('details[data-menu-group="sales"]')
    expect(sales.get_by_role("link", name="Deals")).to_be_visible()
    sales.locator("summary").click()
    expect(sales.get_by_role("link", name="Deals")).to_be_hidden()
    menu.get_by_role("link", name="Contacts").click()
    expect(page).to_have_url(f"{live_server}/contacts/")
    expect(sales).not_to_have_attribute("open", "")
    expect(menu.get_by_role("link", name="Customers", exact=True)).to_be_visible()
    page.goto(f"{live_server}/sales/deals")  # a page of the folded group: shown open
    expect(sales.get_by_role("link", name="Deals")).to_have_attribute("aria-current", "page")
    expect(sales.get_by_role("link", name="Deals")).to_be_visible()


def test_on_a_phone_the_menu_is_a_drawer(page: Page, live_server, make_user):
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server, make_user, role="sales")
    toggle = page.get_by_role("button", name="Menu")
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(menu).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Administration")).to_have_count(0)  # a rep's menu
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()
    toggle.click()
    menu.get_by_role("link", name="Leads").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leads")
    expect(menu).to_be_hidden()
