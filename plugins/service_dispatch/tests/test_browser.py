"""In a real browser, both locales, the whole path of a service job: a
customer files a request through the company's public link and keeps the
tracking link; the dispatcher assigns it from the board; the engineer works
it on the phone-width "My jobs today" page — accept, on the way, check in,
complete with a part from the van; the revisit scores it, the order closes,
and the customer's tracking page says so."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.api import db
from plugins.service_dispatch.models import Revisit, Stock, WorkOrder
from plugins.service_dispatch.services import parts, public, stock

PHONE = {"width": 390, "height": 844}
TEXT = {
    "en": {
        "lang": "en",
        "request": "Request service",
        "thanks": "Thank you",
        "closed": "Closed",
        "new": "New",
    },
    "zh_CN": {
        "lang": "zh-CN",
        "request": "报修",
        "thanks": "谢谢",
        "closed": "已关闭",
        "new": "新建",
    },
}


def sign_in(page: Page, live_server: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_role("banner").get_by_role("link", name="Trellis")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/login"))


def press(page: Page, action: str) -> None:
    page.locator(f"form.action-{action} button[type=submit]").first.click()


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_a_public_request_is_dispatched_worked_on_a_phone_and_revisited(
    page: Page, live_server, make_user, make_engineer, roles, shoot, locale
):
    t = TEXT[locale]
    dispatcher = make_user(role="dispatcher", email="dispatch@example.com", locale=locale)
    engineer = make_engineer(
        skills=["repair"], regions=["East"], name="Li Wei", email="li@example.com", locale=locale
    )
    link = public.create_link("Website", None, None)
    capacitor = parts.create_part(
        {"sku": "CAP-35", "name": "Capacitor 35µF", "price": "25.00"}, None
    )
    van = parts.create_location({"name": "Van Li", "kind": "van", "engineer_id": engineer.id}, None)
    stock.receive({"part_id": capacitor.id, "location_id": van.id, "quantity": "5"}, None)

    # the customer, on their phone, with no account
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/service/request/{link.key}?lang={locale}")
    expect(page.locator("html")).to_have_attribute("lang", t["lang"])
    expect(page.get_by_role("heading", level=1)).to_contain_text(t["request"])
    page.locator("input[name=name]").fill("周杰")
    page.locator("input[name=phone]").fill("139 1234 5678")
    page.locator("input[name=address]").fill("8 West Lake Road, Hangzhou")
    page.locator("input[name=product]").fill("AC-3500")
    page.locator("input[name=serial_number]").fill("SN-0042")
    page.locator("select[name=category]").select_option("repair")
    page.locator("textarea[name=description]").fill("The air conditioner blows warm air.")
    shoot(page, f"service-request-{locale}")
    page.locator("form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["thanks"])
    tracking = page.locator("a.tracking-link").get_attribute("href")
    page.goto(tracking)
    expect(page.locator("body")).to_contain_text(t["new"])
    order = db.session.scalar(select(WorkOrder).where(WorkOrder.source == "public"))
    assert order is not None and order.requester_phone

    # the dispatcher assigns it from the board
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, dispatcher.email)
    page.goto(f"{live_server}/service/board")
    card = page.locator(f"#wo-{order.id}")
    card.locator("select[name=engineer_id]").select_option(str(engineer.id))
    shoot(page, f"service-board-{locale}")
    card.locator("form.action-assign button[type=submit]").click()
    expect(page.locator(f"#wo-{order.id}")).to_have_count(0)

    # the engineer, on the phone
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, engineer.email)
    page.goto(f"{live_server}/service/my-jobs")
    job = page.locator(f"#job-{order.id}")
    expect(job).to_contain_text("8 West Lake Road")
    for action in ("accept", "depart", "check_in"):
        page.locator(f"#job-{order.id} form.action-{action} button[type=submit]").click()
    job = page.locator(f"#job-{order.id}")
    job.locator("textarea[name=diagnosis]").fill("Start capacitor burnt out")
    job.locator("textarea[name=work_done]").fill("Replaced the capacitor, tested cooling")
    job.locator("input[name=labour_minutes]").fill("45")
    job.locator("input[name=charges]").fill("25.00")
    job.locator("input[name=confirmed_by]").fill("周杰")
    job.locator("select[name=parts-0-part_id]").select_option(str(capacitor.id))
    job.locator("input[name=parts-0-quantity]").fill("1")
    shoot(page, f"service-complete-{locale}")
    job.locator("form.action-complete button[type=submit]").click()
    expect(page.locator(f"#job-{order.id}")).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(WorkOrder, order.id).status == "completed"
    assert db.session.scalar(select(Stock.quantity).where(Stock.location_id == van.id)) == Decimal(
        "4"
    )

    # the revisit call: a good score closes the order
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, dispatcher.email)
    page.goto(f"{live_server}/service/work-orders/{order.id}")
    page.locator("#revisit input[name=score][value='5']").check()
    page.locator("#revisit textarea[name=comment]").fill("Quick and tidy")
    page.locator("#revisit form button[type=submit]").click()
    expect(page.locator("#revisit")).to_contain_text("Quick and tidy")
    shoot(page, f"service-order-closed-{locale}")
    db.session.expire_all()
    assert db.session.get(WorkOrder, order.id).status == "closed"
    assert db.session.scalar(select(Revisit.score).where(Revisit.work_order_id == order.id)) == 5

    # and the customer sees it on the tracking page
    page.context.clear_cookies()
    page.goto(tracking)
    expect(page.locator("body")).to_contain_text(t["closed"])
