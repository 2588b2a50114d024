"""A list's search box and filters keep what the user typed after the list
answers (htmx swaps the results, not the form), and the URL says what is
shown, so a reload or a shared link shows the same list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect


@pytest.mark.parametrize(
    "list_path, results", [("/customers", "#results"), ("/contacts", "#contact-results")]
)
def test_a_search_keeps_its_words_after_the_results_arrive(
    page: Page, live_server, make_user, make_customer, make_contact, list_path, results
):
    admin = make_user(email="admin@example.com", role="admin", locale="en")
    for name in ("Green Leaf Tea", "Blue Sea Fisheries"):
        make_contact(customer=make_customer(name=name, owner_id=admin.id), name=f"{name} buyer")
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}{list_path}")
    box = page.get_by_role("searchbox", name="Search", exact=True)
    box.fill("Green")
    expect(page.locator(results)).not_to_contain_text("Blue Sea")
    expect(page.locator(results)).to_contain_text("Green Leaf")
    assert "q=Green" in page.url
    page.wait_for_timeout(400)  # past htmx's settle: a reset would have run by now
    expect(box).to_have_value("Green")
