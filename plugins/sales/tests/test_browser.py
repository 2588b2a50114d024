"""In a real browser, both locales: a visitor sends the company's web form, the
lead lands with the rep the rules pick, the rep converts it with a deal and
wins the deal on the deal's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core.api import db
from plugins.sales.models import AssignmentRule
from plugins.sales.services import leads
from plugins.sales.services import pipelines as pipeline_service

TEXT = {
    "en": {
        "language": "English",
        "email": "E-mail",
        "password": "Password",
        "sign_in": "Sign in",
        "your_name": "Your name",
        "company": "Company",
        "phone": "Phone",
        "send": "Send",
        "thanks": "Thank you",
        "leads": "Leads",
        "convert": "Convert",
        "move": "Move",
        "stage": "Stage",
        "won": "Won",
    },
    "zh_CN": {
        "language": "简体中文",
        "email": "邮箱",
        "password": "密码",
        "sign_in": "登录",
        "your_name": "您的姓名",
        "company": "公司",
        "phone": "电话",
        "send": "提交",
        "thanks": "谢谢",
        "leads": "线索",
        "convert": "转化",
        "move": "移动",
        "stage": "阶段",
        "won": "赢单",
    },
}


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_from_a_web_form_lead_to_a_won_deal(page: Page, live_server, make_user, shoot, locale):
    t = TEXT[locale]
    won = "赢单" if locale == "zh_CN" else "Won"
    pipeline_service.create_pipeline(
        {
            "name": "New business",
            "stages": [
                {"name": "Qualification", "probability": 20},
                {"name": won, "probability": 100, "outcome": "won"},
                {"name": "Lost", "probability": 0, "outcome": "lost"},
            ],
        },
        None,
    )
    rep = make_user(email="rep@example.com", locale=locale)
    form = leads.new_form("Contact us", "website", None)
    db.session.add(AssignmentRule(position=0, user_id=rep.id))
    db.session.commit()

    page.goto(f"{live_server}/login")
    page.get_by_role("button", name=t["language"]).click()
    page.goto(f"{live_server}/sales/forms/{form.key}")
    page.get_by_label(re.compile(f"^{t['your_name']}")).fill("周杰")
    page.get_by_label(t["company"], exact=True).fill("Green Hills Tea")
    page.get_by_label(t["phone"], exact=True).fill("13912345678")
    shoot(page, f"web-form-{locale}")
    page.get_by_role("button", name=t["send"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["thanks"])

    page.goto(f"{live_server}/login")
    page.get_by_label(t["email"]).fill("rep@example.com")
    page.get_by_label(t["password"], exact=True).fill("correct horse battery")
    page.get_by_role("button", name=t["sign_in"]).click()
    page.get_by_role("navigation").get_by_role("link", name=t["leads"], exact=True).click()
    page.get_by_role("link", name="周杰").click()
    page.get_by_role("button", name=t["convert"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Green Hills Tea")
    page.locator("#move-stage").select_option(label=f"{won} (100%)")
    page.get_by_role("button", name=t["move"]).click()
    expect(page.locator(".props .badge")).to_have_text(won)
    shoot(page, f"deal-won-{locale}")
    page.goto(f"{live_server}/sales/board")
    shoot(page, f"board-{locale}")
