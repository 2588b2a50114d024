"""In a real browser, both locales: a manager builds a segment with the
condition builder — picking a field redraws its row with the operators and
values that fit it — counts it before saving, saves it, and sees the
members; a rep opening the same shared segment sees only their own."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core.api import create_team

TEXT = {
    "en": {"new": "New segment", "members": "Members you may see", "lead": "Lead", "save": "Save"},
    "zh_CN": {"new": "新建客户分群", "members": "你可见的成员", "lead": "线索", "save": "保存"},
}


def sign_in(page: Page, live_server: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/login"))


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_a_segment_is_built_counted_saved_and_seen_through_each_users_scope(
    page: Page, live_server, make_user, make_customer, shoot, locale
):
    t = TEXT[locale]
    team = create_team("East", None)
    manager = make_user(role="manager", email="m@example.com", locale=locale, team=team)
    rep = make_user(role="sales", email="r@example.com", locale=locale, team=team)
    for name, owner in (("Lead of the rep", rep), ("Lead of the manager", manager)):
        make_customer(
            name=name, stage="lead", tags=["spring fair"], owner_id=owner.id, team_id=team.id
        )
    make_customer(name="Customer of the rep", stage="customer", owner_id=rep.id, team_id=team.id)

    sign_in(page, live_server, "m@example.com")
    page.goto(f"{live_server}/marketing/segments")
    page.get_by_role("link", name=t["new"]).click()
    page.locator("input[name=name]").fill("Spring fair leads")
    # the field picked redraws its row: a stage offers its values, labelled
    page.locator("select[name=field-0]").select_option("stage")
    expect(page.locator("select[name=value-0]")).to_be_visible()
    page.locator("select[name=value-0]").select_option(label=t["lead"])
    page.locator("select[name=field-1]").select_option("tag")
    expect(page.locator("select[name=op-1] option")).to_have_count(1)
    page.locator("input[name=value-1]").fill("Spring Fair")
    page.locator("button[name=count]").click()
    expect(page.locator("#preview-count")).to_contain_text("2")
    shoot(page, f"marketing-segment-form-{locale}")
    page.get_by_role("button", name=t["save"], exact=True).click()
    expect(page.locator("#member-count")).to_have_text("2")
    expect(page.get_by_role("link", name="Lead of the rep")).to_be_visible()
    expect(page.get_by_text(t["members"])).to_be_visible()
    shoot(page, f"marketing-segment-{locale}")
    url = page.url

    sign_in(page, live_server, "r@example.com")
    page.goto(url)
    expect(page.locator("#member-count")).to_have_text("1")
    expect(page.get_by_role("link", name="Lead of the manager")).to_have_count(0)
