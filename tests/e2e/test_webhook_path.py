"""Issue 23's webhook path in a real browser, both locales, against a real
local HTTP receiver: an administrator subscribes the receiver to new
customers (an internal host, allowed by the form's box), a customer is
created on its page while the receiver is down (it answers 500), the
delivery log shows the failed attempt and when the next one is due; the
retry job delivers it with the same idempotency key and a signature the
secret on the webhook's page verifies; the administrator sends it again by
hand, and the log shows each attempt's answer and latency."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from core.api import utcnow
from core.webhooks import retry_due, verify

SAVE = "form.form button[type=submit]"


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def received(receiver, count: int) -> list:
    """The receiver's requests once it has ``count`` (the POST follows the
    page's commit on the server's thread)."""
    for _ in range(100):
        if len(receiver.requests) >= count:
            return list(receiver.requests)
        time.sleep(0.05)
    raise AssertionError(f"the receiver got {len(receiver.requests)} requests, not {count}")


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_a_subscribed_receiver_survives_an_outage_and_the_log_shows_it(
    page: Page, live_server, make_user, trellis_webhook_receiver, shoot, locale
):
    receiver = trellis_webhook_receiver
    make_user(role="admin", email="ada@example.com", name="Ada", locale=locale)
    sign_in(page, live_server, "ada@example.com")

    page.goto(f"{live_server}/admin/webhooks/")
    page.locator("a.button[href$='/admin/webhooks/new']").click()
    page.locator("input[name=name]").fill("ERP mirror")
    page.locator("input[name=url]").fill(receiver.url)
    page.locator("select[name=events]").select_option("customer_created")
    page.locator(SAVE).click()  # the receiver is on 127.0.0.1: refused, by the field
    expect(page.locator("#e-url")).to_be_visible()
    page.locator("input[name=allow_internal]").check()
    page.locator(SAVE).click()
    expect(page).to_have_url(re.compile(r"/admin/webhooks/\d+$"))
    secret = page.locator("code.secret").inner_text()
    assert secret
    shoot(page, f"webhook-form-{locale}")

    receiver.answers = [500]  # the receiver's outage: the first attempt fails
    page.goto(f"{live_server}/customers/new")
    page.locator("input[name=name]").fill("杭州绿茶贸易有限公司")
    page.locator("form.form button[type=submit]").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("杭州绿茶贸易有限公司")
    [first] = received(receiver, 1)

    page.goto(f"{live_server}/admin/webhooks/")
    page.locator("table.list a[href*='/deliveries']").first.click()
    row = page.locator("table.list tbody tr").first
    expect(row.locator(".badge")).to_have_class(re.compile(r"\binfo\b"))  # pending
    expect(row).to_contain_text("HTTP 500")
    expect(row.locator("td.num")).to_have_text("1")
    row.locator("a").first.click()
    expect(page.locator("dl.facts .badge")).to_have_class(re.compile(r"\binfo\b"))
    expect(page.locator("#content, main").first).to_contain_text("HTTP 500")
    shoot(page, f"webhook-delivery-failed-{locale}")

    # the retry job's minute comes (its schedule is a minute, then doubling)
    assert retry_due(utcnow() + timedelta(minutes=2)).startswith("1 of 1")
    [_, second] = received(receiver, 2)
    key = first.headers["Trellis-Delivery"]
    assert second.headers["Trellis-Delivery"] == key
    assert verify(secret, second.headers["Trellis-Signature"], second.body)
    assert second.json()["data"]["customer"]["values"]["name"] == "杭州绿茶贸易有限公司"
    page.reload()
    expect(page.locator("dl.facts .badge")).to_have_class(re.compile(r"\bok\b"))  # delivered
    expect(page.locator("dl.facts")).to_contain_text(key)
    expect(page.locator("pre.card").last).to_contain_text("received")

    page.locator("form[action$='/redeliver'] button").click()  # sent again by hand
    [*_, third] = received(receiver, 3)
    assert third.headers["Trellis-Delivery"] == key
    page.goto(f"{live_server}/admin/webhooks/")
    page.locator("table.list a[href*='/deliveries']").first.click()
    row = page.locator("table.list tbody tr").first
    expect(row.locator(".badge")).to_have_class(re.compile(r"\bok\b"))
    expect(row.locator("td.num")).to_have_text("3")
    expect(row).to_contain_text("HTTP 200")
    shoot(page, f"webhook-deliveries-{locale}")
