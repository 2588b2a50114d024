"""Issue 22's whole path in a real browser, both locales, against a real
local SMTP server: a manager defines a segment, sees RFM and churn risk on
it, writes an NPS survey, a template linking to it and a campaign, sends a
test to themself, then the campaign; one recipient unsubscribes from the
e-mail's link, another follows the survey link and answers as a detractor;
the manager finds the follow-up task the answer made, and — once that
customer buys — the campaign's attributed revenue and the account managers'
dashboard move."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Integer, Numeric, literal, select, union_all
from werkzeug.serving import make_server

from core.api import Activity, MoneyEvent, UTCDateTime, db, may_contact, utcnow
from core.testing import plugin_module

from ..smtp import consenting, smtp_server  # noqa: F401

#: the buttons are found by what they do (their form), not their words: the
#: words are the catalogues' (tests/test_zh_pages.py checks the Chinese ones)
SAVE = "form.form button[type=submit]:not([name])"
LEAD = {"en": "Lead", "zh_CN": "线索"}


def _money_plugin(paid: list[tuple]):
    """A plugin whose money events are ``paid`` (customer id, when, amount)."""

    def rows():
        return union_all(
            *(
                select(
                    literal(cid, Integer).label("customer_id"),
                    literal(at, UTCDateTime()).label("occurred_at"),
                    literal(amount, Numeric(12, 2)).label("amount"),
                )
                for cid, at, amount in paid
            )
        )

    return plugin_module(
        "till", trellis_money_events=lambda: [MoneyEvent("till.sale", "Sales", rows)]
    )


@pytest.fixture
def paid() -> list[tuple]:
    return []


@pytest.fixture
def site(app, make_app, smtp_server, paid):  # noqa: F811
    """An app sending through ``smtp_server``, with the money plugin, served
    over real HTTP on a free port; its base URL."""
    served = make_app(
        TRELLIS_SMTP_URL=smtp_server.url,
        TRELLIS_MAIL_FROM="news@example.com",
        TRELLIS_EXTRA_PLUGINS=[_money_plugin(paid)],
    )
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def _revenue_cell(page: Page, base: str, manager: str) -> str:
    page.goto(f"{base}/marketing/kpis")
    row = page.locator("#kpis tbody tr", has=page.get_by_role("rowheader", name=manager))
    return row.locator("td").nth(1).inner_text()


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_segment_rfm_campaign_unsubscribe_detractor_task_and_dashboard(
    page: Page,
    site,
    smtp_server,
    paid,
    make_user,
    make_customer,
    shoot,
    locale,  # noqa: F811
):
    manager = make_user(role="manager", email="m@example.com", name="Mona", locale=locale)
    now = utcnow()
    ann, bob = (
        consenting(make_customer(name=name, emails=[email], stage="lead", owner_id=manager.id))
        for name, email in (("Ann Trading", "ann@example.com"), ("Bob Tea", "bob@example.com"))
    )
    # Ann bought often and lately; Bob bought big, long ago (valuable, at
    # risk); four clients (not leads) bought a little lately, so that the
    # six scored customers spread over the five quintiles
    paid += [(ann.id, now - timedelta(days=d), 100) for d in (5, 40, 80)]
    paid += [(bob.id, now - timedelta(days=300), 5000)]
    for n in range(4):
        client = make_customer(name=f"Client {n}", stage="customer", owner_id=manager.id)
        paid.append((client.id, now - timedelta(days=10), 10 + n))
    db.session.commit()
    sign_in(page, site, "m@example.com")

    # a segment: the leads
    page.goto(f"{site}/marketing/segments/new")
    page.locator("input[name=name]").fill("Leads")
    page.locator("select[name=field-0]").select_option("stage")
    page.locator("select[name=value-0]").select_option(label=LEAD[locale])
    page.locator("button[name=count]").click()
    expect(page.locator("#preview-count")).to_contain_text("2")
    page.locator(SAVE).first.click()
    expect(page).to_have_url(re.compile(r"/marketing/segments/\d+$"))
    expect(page.locator("#member-count")).to_have_text("2")

    # RFM and churn risk, on the segment
    page.goto(f"{site}/marketing/rfm")
    page.locator("#rfm-run-now").click()
    expect(page.locator("#rfm-latest")).to_contain_text("6")
    page.locator("select[name=segment_id]").select_option(label="Leads")
    page.locator("form.compact button[type=submit]").first.click()
    # the filter is a GET form: read the tiles of the page it loads, not
    # of the one being replaced
    expect(page).to_have_url(re.compile(r"[?&]segment_id=\d+"))
    page.wait_for_load_state()
    tiles = page.locator("#rfm-segments .big")
    assert sum(int(t) for t in tiles.all_inner_texts()) == 2
    shoot(page, f"marketing-rfm-segment-{locale}")
    page.goto(f"{site}/marketing/churn")
    expect(page.get_by_role("link", name="Bob Tea")).to_be_visible()
    revenue_before = _revenue_cell(page, site, "Mona")

    # an NPS survey, a template linking to it, a campaign of both
    page.goto(f"{site}/marketing/surveys/new")
    page.locator("input[name=name]").fill("After the offer")
    page.locator("select[name=kind]").select_option("nps")
    page.locator(SAVE).first.click()
    expect(page).to_have_url(re.compile(r"/marketing/surveys/\d+$"))
    page.goto(f"{site}/marketing/templates")
    page.locator("a.button[href$='/marketing/templates/new']").click()
    page.locator("input[name=name]").fill("Spring")
    page.locator("input[name=subject_en]").fill("Hello {{ customer.name }}")
    page.locator("textarea[name=body_en]").fill(
        '<p>Dear {{ contact.name }}, <a href="{{ survey_url }}">how did we do?</a></p>'
        '<a href="{{ unsubscribe_url }}">Unsubscribe</a>'
    )
    page.locator("input[name=subject_zh_CN]").fill("{{ customer.name }}，您好")
    page.locator("textarea[name=body_zh_CN]").fill(
        '<p>{{ contact.name }}您好，<a href="{{ survey_url }}">请评价</a></p>'
        '<a href="{{ unsubscribe_url }}">退订</a>'
    )
    page.locator(SAVE).first.click()
    page.goto(f"{site}/marketing/campaigns")
    page.locator("a.button[href$='/marketing/campaigns/new']").click()
    page.locator("input[name=name]").fill("Spring sale")
    page.locator("select[name=segment_id]").select_option(label="Leads")
    spring = page.locator("select[name=template_id] option", has_text="Spring")
    page.locator("select[name=template_id]").select_option(spring.get_attribute("value"))
    page.locator("select[name=survey_id]").select_option(label="After the offer")
    page.locator("select[name=language]").select_option(locale)
    shoot(page, f"marketing-campaign-form-{locale}")
    page.locator(SAVE).first.click()

    page.locator("form[action$='/test'] button").click()
    expect(page.locator(".flash").first).to_contain_text("m@example.com")
    assert smtp_server.to() == ["m@example.com"]
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("form[action$='/send'] button").click()
    expect(page.locator("#count-sent")).to_have_text("2")
    campaign_url = page.url
    shoot(page, f"marketing-campaign-sent-{locale}")
    mails = {str(m["To"]): m for m in smtp_server.messages[1:]}
    assert sorted(mails) == ["ann@example.com", "bob@example.com"]
    assert "Ann Trading" in str(mails["ann@example.com"]["Subject"])

    # Ann unsubscribes from the e-mail's link
    page.context.clear_cookies()
    header = str(mails["ann@example.com"]["List-Unsubscribe"])
    unsubscribe = urlsplit(re.search(r"<([^>]+)>", header).group(1)).path
    page.goto(f"{site}{unsubscribe}?lang={locale}")
    page.locator("form[method=post] button[type=submit]").click()
    expect(page.locator("section[role=status] h1")).to_be_visible()
    shoot(page, f"marketing-campaign-unsubscribed-{locale}")
    assert may_contact([ann.id], "email", "marketing") == set()

    # Bob follows the (tracked) survey link and answers as a detractor
    html = mails["bob@example.com"].get_body(("html",)).get_content()
    tracked = re.search(r'href="([^"]*/m/c/[^"]+)"', html).group(1).replace("&amp;", "&")
    page.goto(tracked)
    expect(page).to_have_url(re.compile(r"/m/s/"))
    page.locator("input[name=score][value='2']").check()
    page.locator("form button[type=submit]").click()
    expect(page.locator("input[name=score]")).to_have_count(0)

    # the manager has the task the answer made
    db.session.expire_all()
    task = db.session.scalar(select(Activity).where(Activity.due_at.is_not(None)))
    assert (task.owner_id, task.customer_id) == (manager.id, bob.id)
    sign_in(page, site, "m@example.com")
    page.goto(f"{site}/tasks/")
    expect(page.get_by_text(task.subject).first).to_be_visible()
    shoot(page, f"marketing-detractor-task-{locale}")

    # Bob buys: the campaign's attributed revenue and the dashboard move
    paid.append((bob.id, utcnow(), 800))
    page.goto(campaign_url)
    expect(page.locator("#count-clicked")).to_contain_text("1")
    expect(page.locator("#attributed-amount")).to_contain_text("800")
    shoot(page, f"marketing-campaign-attributed-{locale}")
    assert _revenue_cell(page, site, "Mona") != revenue_before
    shoot(page, f"marketing-kpis-{locale}")
