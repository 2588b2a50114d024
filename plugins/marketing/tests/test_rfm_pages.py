"""The RFM pages without a browser, in both locales: the segments' grid
with counts and links, the run log with "run now" (a manager's, with the
CSRF token), a segment's customers, the valuable customers at risk by
account manager, the customer's RFM tab with its reasons in words — each
showing a rep only their own customers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.api import db
from core.testing.pages import english_words
from plugins.marketing.models import RfmRun
from plugins.marketing.services import rfm

from .rfm_data import NOW, rfm_settings, world  # noqa: F401  (the fixtures)

TEXT = {
    "en": {"title": "RFM analysis", "champions": "Champions", "risk": "Valuable customers at risk"},
    "zh_CN": {"title": "客户价值分析", "champions": "最佳客户", "risk": "有流失风险的高价值客户"},
}


def counted(page: str) -> dict[str, int]:
    """The segments' tiles: ``{segment: count}``."""
    tiles = re.findall(r'data-segment="(\w+)">.*?<p class="big">(\d+)</p>', page, re.S)
    return {code: int(n) for code, n in tiles}


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_rfm_page_counts_the_segments_in_the_users_language(world, login_as, locale):
    rfm.start_run(world.manager, now=NOW)
    world.manager.locale = locale
    db.session.commit()
    page = login_as(world.manager).get("/marketing/rfm")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert TEXT[locale]["title"] in text and TEXT[locale]["champions"] in text
    assert counted(text)["loyal"] == 2 and sum(counted(text).values()) == 12
    assert 'href="/marketing/rfm/customers?rfm_segment=lost"' in text
    if locale == "zh_CN":
        main = text[text.index("<main") :]
        assert english_words(main) == set()


def test_a_rep_sees_only_their_own_customers_on_every_page(world, login_as):
    rfm.start_run(world.manager, now=NOW)
    web = login_as(world.rep1)
    assert sum(counted(web.get("/marketing/rfm").text).values()) == 6
    lost = web.get("/marketing/rfm/customers?rfm_segment=lost").text
    assert "Customer D" in lost and "Customer K" not in lost
    risk = web.get("/marketing/churn").text
    assert "Customer B" in risk and "Customer J" not in risk
    tab = web.get(f"/marketing/customers/{world.ids['E']}/rfm").text
    assert "No contact for 100 days (+30)" in tab and 'id="churn-score">60<' in tab
    assert web.get(f"/marketing/customers/{world.ids['J']}/rfm").status_code == 404
    assert "Run now" not in web.get("/marketing/rfm").text  # reps do not run it


def test_the_churn_page_groups_the_valuable_at_risk_by_account_manager(world, login_as):
    rfm.start_run(world.manager, now=NOW)
    page = login_as(world.manager).get("/marketing/churn").text
    groups = re.findall(r'<section class="churn-owner">\s*<h2>([^<]+)<', page)
    assert [g.strip() for g in groups] == ["Rep One", "Rep Two"]
    sections = page.split('<section class="churn-owner">')[1:]
    assert "Customer B" in sections[0] and "Customer J" in sections[1]
    assert "Customer J" not in sections[0]
    only = login_as(world.manager).get(f"/marketing/churn?owner_id={world.rep2.id}").text
    assert "Customer J" in only and "Customer B" not in only


def test_the_customer_page_lists_the_rfm_tab_for_a_scored_customer(world, login_as):
    web = login_as(world.manager)
    assert "tab=rfm" not in web.get(f"/customers/{world.ids['L']}").text  # no run yet
    rfm.start_run(world.manager, now=NOW)
    assert "tab=rfm" in web.get(f"/customers/{world.ids['L']}").text
    tab = web.get(f"/customers/{world.ids['L']}?tab=rfm").text
    assert "Potential loyalists" in tab and "Low satisfaction: 4 of 10 (+20)" in tab


def test_run_now_from_the_page_takes_the_token_and_the_permission(world, login_as):
    web = login_as(world.manager)
    page = web.get("/marketing/rfm").text
    assert 'id="rfm-run-now"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = web.post("/marketing/rfm/runs", data={"csrf_token": token})
    assert done.status_code == 302
    assert db.session.scalar(select(RfmRun.status)) == "done"
    assert "Customer" in web.get("/marketing/rfm/customers?rfm_segment=champions").text
    rep = login_as(world.rep1)
    assert rep.post("/marketing/rfm/runs", data={"csrf_token": token}).status_code in (400, 403)
    assert db.session.scalar(select(func.count(RfmRun.id))) == 1
