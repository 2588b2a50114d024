"""The approval flow form in a real browser offers what applies: the
condition's fields of the chosen record type only, a step's role or users by
its kind, and one more step at a time; the flow it saves has those steps."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.api import db
from core.models import ApprovalFlow


def test_the_flow_form_offers_what_applies_and_saves_two_steps(page: Page, live_server, make_user):
    make_user(email="admin@example.com", role="admin", locale="en")
    make_user(email="fay@example.com", role="manager", name="Fay Finance")
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/approvals/flows/new")
    page.get_by_label("Record type").select_option("sales.deal")
    fields = page.locator("#f-condition_field option[data-for-type]")
    for n in range(fields.count()):  # only the deal's fields are offered
        option = fields.nth(n)
        shown = option.get_attribute("data-for-type") == "sales.deal"
        assert option.evaluate("o => !o.hidden") == shown
    page.locator("#f-name").fill("Large deals")
    page.locator("#f-condition_field").select_option("amount")
    page.locator("#f-condition_op").select_option("gt")
    page.locator("#f-condition_value").fill("100000")
    first = page.locator("fieldset.step").nth(0)
    second = page.locator("fieldset.step").nth(1)
    expect(second).to_be_hidden()  # a spare row waits
    first.get_by_label("Approved by").select_option("team_manager")
    expect(first.get_by_label("Role")).to_be_hidden()
    expect(first.get_by_label("Users")).to_be_hidden()
    page.get_by_role("button", name="Add a step").click()
    expect(second).to_be_visible()
    second.get_by_label("Approved by").select_option("user")
    expect(second.get_by_label("Role")).to_be_hidden()
    second.get_by_label("Users").select_option(label="Fay Finance")
    page.get_by_role("button", name="Save flow").click()
    expect(page.locator("tr", has_text="Large deals")).to_be_visible()
    flow = db.session.scalar(select(ApprovalFlow).where(ApprovalFlow.name == "Large deals"))
    assert flow is not None
    assert [s.approver_kind for s in flow.steps] == ["team_manager", "user"]
    assert flow.condition == {"field": "amount", "op": "gt", "value": "100000"}
