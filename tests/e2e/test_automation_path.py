"""Issue 23's rule in a real browser, both locales: an administrator writes
"a new lead from the website → assign it round robin in Sales East →
task: call within the hour" on the automation page, a visitor leaves two
leads through the public web form, and each lead lands with the next rep
of the team, who finds the call task on their dashboard; the run log shows
both runs done, and a lead of another source matched nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.api import create_team, db
from plugins.sales.models import Lead
from plugins.sales.services import leads

SAVE = "form.form button[type=submit]"


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def sign_out(page: Page) -> None:
    page.locator("a[href$='/logout'], form[action$='/logout'] button").first.click()
    expect(page).to_have_url(re.compile(r"/login"))


def leave_lead(page: Page, base: str, key: str, name: str, phone: str) -> None:
    page.goto(f"{base}/sales/forms/{key}")
    page.locator("input[name=name]").fill(name)
    page.locator("input[name=phone]").fill(phone)
    page.locator("form button[type=submit]").click()
    expect(page.locator("main")).not_to_contain_text(phone)  # thanked, not the form again


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_a_new_web_lead_is_assigned_round_robin_and_gets_a_call_task(
    page: Page, live_server, make_user, shoot, locale
):
    east = create_team("Sales East", None)
    ann = make_user(role="sales", team=east, email="ann@example.com", name="Ann", locale=locale)
    bob = make_user(role="sales", team=east, email="bob@example.com", name="Bob", locale=locale)
    make_user(role="admin", email="ada@example.com", name="Ada", locale=locale)
    website = leads.new_form("Contact us", "website", None)
    fair = leads.new_form("Fair", "other", None)
    db.session.commit()

    sign_in(page, live_server, "ada@example.com")
    page.goto(f"{live_server}/admin/automation/")
    page.locator("a.button[href$='/admin/automation/new']").click()
    page.locator("input[name=name]").fill("Web lead → Sales East → call")
    page.locator("select[name='trigger.kind']").select_option("event")
    page.locator("select[name='trigger.event']").select_option("sales_lead_created")
    page.locator("input[name='conditions.0.field']").fill("source")
    page.locator("select[name='conditions.0.op']").select_option("eq")
    page.locator("input[name='conditions.0.value']").fill("website")
    page.locator("select[name='actions.0.type']").select_option("assign_owner")
    page.locator("select[name='actions.0.p.assign_owner.team_id']").select_option("Sales East")
    page.locator("select[name='actions.1.type']").select_option("create_task")
    expect(page.locator("[name='actions.1.p.add_tag.tag']")).to_be_hidden()  # only the chosen's
    page.locator("input[name='actions.1.p.create_task.title']").fill("Call the new lead")
    page.locator("input[name='actions.1.p.create_task.due_in_hours']").fill("1")
    page.locator(SAVE).first.click()
    expect(page).to_have_url(re.compile(r"/admin/automation/\d+$"))
    shoot(page, f"automation-rule-{locale}")
    sign_out(page)

    leave_lead(page, live_server, website.key, "周杰", "13912345678")
    leave_lead(page, live_server, website.key, "Li Na", "13912345679")
    leave_lead(page, live_server, fair.key, "Wang Fang", "13912345670")
    db.session.expire_all()
    owners = {
        lead.name: lead.owner_id for lead in db.session.scalars(select(Lead).order_by(Lead.id))
    }
    assert owners["周杰"] == ann.id and owners["Li Na"] == bob.id  # round robin, by id
    assert owners["Wang Fang"] not in (ann.id, bob.id)  # another source: no rule ran

    sign_in(page, live_server, "bob@example.com")
    tasks = page.locator("#my-tasks")
    expect(tasks.get_by_text("Call the new lead")).to_have_count(1)  # Bob's one, not Ann's
    shoot(page, f"automation-task-{locale}")

    sign_out(page)
    sign_in(page, live_server, "ada@example.com")
    page.goto(f"{live_server}/admin/automation/runs")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(3)
    shoot(page, f"automation-runs-{locale}")
