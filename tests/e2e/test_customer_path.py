"""The daily path of a sales rep, in a real browser, in both locales and both
themes: sign in → create a customer → add a contact → log a call → see it on
the timeline → plan a follow-up → see it on the dashboard. And a rep cannot
open another rep's customer by its URL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

TEXT = {
    "en": {
        "language": "English",
        "email": "E-mail",
        "password": "Password",
        "sign_in": "Sign in",
        "customers": "Customers",
        "new_customer": "New customer",
        "name": "Name",
        "save": "Save",
        "add_contact": "Add contact",
        "log_call": "Log call",
        "summary": "Summary",
        "call_logged": "Call logged.",
        "plan": "Plan a follow-up",
        "what": "What to do",
        "due": "Due",
        "plan_button": "Plan follow-up",
        "planned": "Follow-up planned.",
        "my_tasks": "My tasks",
        "not_found": "Not found",
    },
    "zh_CN": {
        "language": "简体中文",
        "email": "邮箱",
        "password": "密码",
        "sign_in": "登录",
        "customers": "客户",
        "new_customer": "新建客户",
        "name": "名称",
        "save": "保存",
        "add_contact": "添加联系人",
        "log_call": "记录通话",
        "summary": "摘要",
        "call_logged": "通话已记录。",
        "plan": "安排跟进",
        "what": "跟进内容",
        "due": "截止时间",
        "plan_button": "安排跟进",
        "planned": "跟进任务已安排。",
        "my_tasks": "我的跟进任务",
        "not_found": "未找到",
    },
}
COMBINATIONS = [("en", "default"), ("zh_CN", "dark"), ("en", "dark"), ("zh_CN", "default")]


def sign_in(page: Page, base: str, email: str, t: dict) -> None:
    page.goto(f"{base}/login")
    page.get_by_role("button", name=t["language"]).click()  # the sign-in page's language picker
    page.get_by_label(t["email"]).fill(email)
    page.get_by_label(t["password"], exact=True).fill("correct horse battery")
    page.get_by_role("button", name=t["sign_in"]).click()
    expect(page).to_have_url(f"{base}/")


@pytest.mark.parametrize("locale,theme", COMBINATIONS)
def test_a_rep_works_a_new_customer_from_sign_in_to_the_dashboard(
    page: Page, live_server, make_user, shoot, locale, theme
):
    t = TEXT[locale]
    rep = make_user(
        email="rep@example.com", name="Zhang Wei", locale=locale, timezone="Asia/Shanghai"
    )
    from core.services.directory import update_user

    update_user(rep, {"theme": theme}, None)
    tag = f"{locale}-{theme}"
    sign_in(page, live_server, "rep@example.com", t)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if locale == "zh_CN" else "en")
    expect(page.locator("link[rel=stylesheet]").nth(1)).to_have_attribute(
        "href", re.compile(f"/theme/{theme}/theme.css")
    )
    shoot(page, f"dashboard-empty-{tag}")

    page.get_by_role("navigation").get_by_role("link", name=t["customers"], exact=True).click()
    page.get_by_role("link", name=t["new_customer"]).click()
    page.get_by_role("button", name=t["save"]).click()  # nothing typed: the form says which field
    expect(page.locator("#e-name")).to_be_visible()
    name = "杭州绿茶贸易有限公司" if locale == "zh_CN" else "Green Leaf Tea Trading Ltd"
    page.get_by_label(re.compile(f"^{t['name']}")).fill(name)
    shoot(page, f"customer-form-{tag}")
    page.get_by_role("button", name=t["save"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    page.get_by_role("link", name=t["add_contact"]).click()
    page.get_by_label(re.compile(f"^{t['name']}")).fill("李娜")
    page.get_by_role("button", name=t["save"]).click()
    expect(page.locator("#contacts")).to_contain_text("李娜")

    call = page.locator("form", has=page.get_by_role("button", name=t["log_call"]))
    call.get_by_label(t["summary"]).fill("Asked for the spring price list")
    call.get_by_role("button", name=t["log_call"]).click()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(t["call_logged"])
    expect(timeline).to_contain_text("Asked for the spring price list")

    page.locator("summary", has_text=t["plan"]).click()
    plan = page.locator("form", has=page.get_by_role("button", name=t["plan_button"]))
    plan.get_by_label(t["what"]).fill("Send the samples")
    # typed in the rep's own time zone; due today or in the next days, so on the dashboard
    soon = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(hours=2)
    plan.get_by_label(t["due"]).fill(soon.strftime("%Y-%m-%dT%H:%M"))
    plan.get_by_role("button", name=t["plan_button"]).click()
    expect(timeline).to_contain_text(t["planned"])
    expect(timeline).to_contain_text("Send the samples")
    shoot(page, f"customer-360-{tag}")

    page.get_by_role("link", name="Trellis").click()
    tasks = page.locator("#my-tasks")
    expect(tasks).to_contain_text("Send the samples")
    expect(tasks).to_contain_text(name)
    shoot(page, f"dashboard-{tag}")
    page.get_by_role("navigation").get_by_role("link", name=t["customers"], exact=True).click()
    expect(page.locator("#results")).to_contain_text(name)
    shoot(page, f"customers-{tag}")


@pytest.mark.parametrize("locale,theme", COMBINATIONS)
def test_a_rep_cannot_open_another_reps_customer_by_url(
    page: Page, live_server, make_user, make_customer, locale, theme
):
    from core.services.directory import update_user

    t = TEXT[locale]
    owner = make_user(email="owner@example.com")
    update_user(make_user(email="other@example.com", locale=locale), {"theme": theme}, None)
    secret = make_customer(name="Owner's Private Account", owner_id=owner.id)
    sign_in(page, live_server, "other@example.com", t)
    response = page.goto(f"{live_server}/customers/{secret.id}")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(t["not_found"])
    expect(page.locator("body")).not_to_contain_text("Owner's Private Account")


def test_search_as_you_type_filters_the_list_without_a_reload(
    page: Page, live_server, make_user, make_customer
):
    rep = make_user(email="rep@example.com", locale="en")
    for name in ("Orchid Florist", "Maple Bakery", "Orchard Farm Supplies"):
        make_customer(name=name, owner_id=rep.id)
    sign_in(page, live_server, "rep@example.com", TEXT["en"])
    page.goto(f"{live_server}/customers/")
    page.evaluate("window.__marker = 'same page'")
    page.get_by_label("Search", exact=True).press_sequentially("Orch", delay=30)
    results = page.locator("#results")
    expect(results).to_contain_text("Orchid Florist")
    expect(results).not_to_contain_text("Maple Bakery")
    assert page.evaluate("window.__marker") == "same page"  # swapped in place, not reloaded
    expect(page).to_have_url(re.compile(r"q=Orch"))


def test_the_phone_layout_has_no_horizontal_scroll(
    page: Page, live_server, make_user, make_customer, shoot
):
    rep = make_user(email="rep@example.com", locale="zh_CN")
    make_customer(name="超长名称的客户" * 8, owner_id=rep.id, phones=["13800138000"])
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server, "rep@example.com", TEXT["zh_CN"])
    for path in ("/", "/customers/", "/tasks/"):
        page.goto(f"{live_server}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    page.goto(f"{live_server}/customers/")
    page.locator("#results a").first.click()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shoot(page, "customer-360-phone-zh_CN")


def test_keyboard_users_reach_the_menu_and_skip_to_the_content(page: Page, live_server, make_user):
    make_user(email="rep@example.com", locale="en")
    sign_in(page, live_server, "rep@example.com", TEXT["en"])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))


def test_administration_pages_in_chinese(page: Page, live_server, make_user, make_customer, shoot):
    """The admin's pages render in a real browser; screenshots for a look."""
    admin = make_user(email="admin@example.com", role="admin", locale="zh_CN")
    make_customer(name="已删除的客户", owner_id=admin.id)
    sign_in(page, live_server, "admin@example.com", TEXT["zh_CN"])
    menu = page.get_by_role("navigation", name="主菜单")
    menu.locator('details[data-menu-group="admin"]').get_by_role("link", name="用户").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("用户")
    page.goto(f"{live_server}/admin/")
    shoot(page, "admin-zh_CN")
    for path, heading, shot in (
        ("/admin/users", "用户", "admin-users-zh_CN"),
        ("/admin/roles/1/edit", None, "admin-role-zh_CN"),
        ("/admin/audit", "操作日志", "admin-audit-zh_CN"),
        ("/admin/plugins", "插件", "admin-plugins-zh_CN"),
    ):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, path
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        shoot(page, shot)
