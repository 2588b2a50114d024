"""In a real browser, both locales: a customer opens the survey link, reads
the question in the invitation's language, answers as a detractor and
cannot answer twice; the owner then sees the NPS move and has a follow-up
task about it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.api import Activity, db
from plugins.marketing.services.surveys import create_survey, invite

QUESTION = {
    "en": "How likely are you to recommend us to a friend or colleague?",
    "zh_CN": "您有多大可能向朋友或同事推荐我们？",
}
HTML_LANG = {"en": "en", "zh_CN": "zh-CN"}


def sign_in(page: Page, live_server: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/login"))


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_a_detractor_answers_once_and_the_owner_sees_it(
    page: Page, live_server, make_user, make_customer, shoot, locale
):
    owner = make_user(role="manager", email="m@example.com", locale=locale)
    customer = make_customer(name="Acme Tea", owner_id=owner.id)
    survey = create_survey({"name": "After sales", "kind": "nps", "channel": "link"}, owner)
    link = invite(survey, [customer], "e2e", owner, "link", locale).created[0][1]
    token = link.rsplit("/", 1)[1]

    page.context.clear_cookies()
    page.goto(f"{live_server}/m/s/{token}")
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[locale])
    expect(page.get_by_text(QUESTION[locale])).to_be_visible()
    shoot(page, f"marketing-survey-public-{locale}")
    page.locator("input[name=score][value='3']").check()
    page.locator("form button[type=submit]").click()
    expect(page.locator("input[name=score]")).to_have_count(0)
    page.goto(f"{live_server}/m/s/{token}")  # the link again: thanked, no second form
    expect(page.locator("input[name=score]")).to_have_count(0)
    page.goto(f"{live_server}/m/s/{token[:-2]}xx")
    expect(page.locator("input[name=score]")).to_have_count(0)

    sign_in(page, live_server, "m@example.com")
    page.goto(f"{live_server}/marketing/surveys/{survey.id}")
    expect(page.locator("#nps")).to_have_text("-100.0")
    expect(page.locator("#answer-count")).to_have_text("1")
    shoot(page, f"marketing-survey-results-{locale}")
    db.session.expire_all()
    tasks = db.session.scalars(select(Activity).where(Activity.due_at.is_not(None))).all()
    assert [(t.owner_id, t.customer_id) for t in tasks] == [(owner.id, customer.id)]
