"""In a real browser, both locales, against a real local SMTP server: a
manager writes a template and a campaign, sends a test to themself, sends
the campaign; the recipient opens the unsubscribe link from the e-mail and
unsubscribes; the campaign's page shows the sent message and the unsubscribe."""

from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from core.api import db, may_contact

from ..smtp import consenting, mail_app, smtp_server  # noqa: F401

#: the buttons are found by what they do (their form), not their words: the
#: words are the catalogues' (tests/test_zh_pages.py checks the Chinese ones)
SAVE = "form.form button[type=submit]:not([name])"


@pytest.fixture
def mail_server(mail_app):  # noqa: F811
    """``mail_app`` served over real HTTP on a free port; its base URL."""
    server = make_server("127.0.0.1", 0, mail_app, threaded=True)
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


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_a_campaign_is_written_tested_sent_and_unsubscribed_from(
    page: Page,
    mail_server,
    smtp_server,
    make_user,
    make_customer,
    shoot,
    locale,  # noqa: F811
):
    manager = make_user(role="manager", email="m@example.com", locale=locale)
    customer = consenting(
        make_customer(name="Ann Trading", emails=["ann@example.com"], owner_id=manager.id)
    )
    db.session.commit()
    sign_in(page, mail_server, "m@example.com")
    page.goto(f"{mail_server}/marketing/segments/new")
    page.locator("input[name=name]").fill("Everyone")
    page.locator(SAVE).first.click()
    expect(page).to_have_url(re.compile(r"/marketing/segments/\d+$"))

    page.goto(f"{mail_server}/marketing/templates")
    page.locator("a.button[href$='/marketing/templates/new']").click()
    page.locator("input[name=name]").fill("Spring")
    page.locator("input[name=subject_en]").fill("Hello {{ customer.name }}")
    page.locator("textarea[name=body_en]").fill(
        '<p>Dear {{ contact.name }}</p><a href="{{ unsubscribe_url }}">Unsubscribe</a>'
    )
    page.locator("input[name=subject_zh_CN]").fill("{{ customer.name }}，您好")
    page.locator("textarea[name=body_zh_CN]").fill(
        '<p>{{ contact.name }}您好</p><a href="{{ unsubscribe_url }}">退订</a>'
    )
    page.locator(SAVE).first.click()

    page.goto(f"{mail_server}/marketing/campaigns")
    page.locator("a.button[href$='/marketing/campaigns/new']").click()
    page.locator("input[name=name]").fill("Spring sale")
    page.locator("select[name=segment_id]").select_option(label="Everyone")
    page.locator("select[name=template_id]").select_option(label="Spring")
    page.locator("select[name=language]").select_option(locale)
    shoot(page, f"marketing-campaign-form-{locale}")
    page.locator(SAVE).first.click()

    page.locator("form[action$='/test'] button").click()
    expect(page.locator(".flash").first).to_contain_text("m@example.com")
    assert smtp_server.to() == ["m@example.com"]
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("form[action$='/send'] button").click()
    expect(page.locator("#count-sent")).to_have_text("1")
    expect(page.get_by_text("ann@example.com")).to_be_visible()
    shoot(page, f"marketing-campaign-sent-{locale}")
    mail = smtp_server.messages[-1]
    assert mail["To"] == "ann@example.com"
    assert "Ann Trading" in str(mail["Subject"])

    unsubscribe = urlsplit(re.search(r"<([^>]+)>", str(mail["List-Unsubscribe"])).group(1)).path
    page.context.clear_cookies()
    page.goto(f"{mail_server}{unsubscribe}?lang={locale}")
    page.locator("form[method=post] button[type=submit]").click()
    expect(page.locator("section[role=status] h1")).to_be_visible()
    shoot(page, f"marketing-campaign-unsubscribed-{locale}")
    assert may_contact([customer.id], "email", "marketing") == set()
