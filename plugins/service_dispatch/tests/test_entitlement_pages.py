"""The entitlement pages: a customer's contracts (list, new, edit, delete),
the service admin's SLA page (policies, calendar, holidays) and the coverage
and deadlines on an order's page."""

import re
from datetime import date

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from core.api import db
from plugins.service_dispatch.models import BusinessCalendar, CalendarDay, Contract, SlaPolicy
from plugins.service_dispatch.services import entitlement, sla

WARRANTY = {
    "number": "W-77",
    "kind": "warranty",
    "product": "RO-500",
    "serial_number": "",
    "categories": "repair, maintenance",
    "starts_on": "2020-01-01",
    "ends_on": "2099-12-31",
    "notes": "",
}


def token(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_a_customers_contracts_are_listed_added_edited_and_deleted(
    make_customer, dispatcher, login_as
):
    customer = make_customer(owner_id=dispatcher.id)
    client = login_as(dispatcher)
    tab = client.get(f"/service/customers/{customer.id}/work-orders")
    assert f"/service/customers/{customer.id}/contracts" in tab.text
    path = f"/service/customers/{customer.id}/contracts"
    page = client.get(path)
    assert page.status_code == 200 and "No service contracts or warranties yet" in page.text
    bad = client.post(
        path, data={**WARRANTY, "ends_on": "2019-01-01", "csrf_token": token(client, path)}
    )
    assert bad.status_code == 422 and "cannot end before it starts" in bad.text
    assert 'value="W-77"' in bad.text  # what was typed is kept
    assert db.session.scalar(select(Contract)) is None
    added = client.post(
        path, data={**WARRANTY, "csrf_token": token(client, path)}, follow_redirects=True
    )
    assert added.status_code == 200 and "W-77" in added.text and "Running" in added.text
    contract = db.session.scalar(select(Contract))
    assert (contract.categories, contract.serial_number) == (["repair", "maintenance"], None)
    edit = f"/service/contracts/{contract.id}"
    assert "repair, maintenance" in client.get(edit).text
    saved = client.post(
        edit,
        data={
            **WARRANTY,
            "categories": "",
            "ends_on": "2030-06-30",
            "version": "1",
            "csrf_token": token(client, edit),
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert (contract.categories, contract.ends_on) == ([], date(2030, 6, 30))
    stale = client.post(
        edit, data={**WARRANTY, "notes": "late", "version": "1", "csrf_token": token(client, edit)}
    )
    assert stale.status_code == 409 and "changed this contract meanwhile" in stale.text
    client.post(f"{edit}/delete", data={"version": "2", "csrf_token": token(client, edit)})
    db.session.expire_all()
    assert contract.deleted_at is not None
    assert client.get(edit).status_code == 404


def test_an_order_page_shows_its_coverage_and_deadlines(make_customer, dispatcher, login_as):
    customer = make_customer()
    entitlement.create_contract({**WARRANTY, "categories": [], "customer_id": customer.id}, None)
    sla.create_policy({"priority": "normal", "response_hours": 8, "resolution_hours": 24}, None)
    from plugins.service_dispatch.services.orders import create_work_order

    covered = create_work_order(
        {"title": "Leak", "customer_id": customer.id, "product": "RO-500"}, None
    )
    paid = create_work_order(
        {"title": "Noise", "customer_id": customer.id, "product": "AC-9", "priority": "low"}, None
    )
    client = login_as(dispatcher)
    page = client.get(f"/service/work-orders/{covered.id}").text
    assert "Covered" in page and "W-77" in page
    deadlines = lambda text: re.findall(r"(?:Respond|Resolve) by</dt><dd>([^<]*)</dd>", text)
    assert len(deadlines(page)) == 2 and "—" not in deadlines(page)
    other = client.get(f"/service/work-orders/{paid.id}").text
    assert "Chargeable" in other and deadlines(other) == ["—", "—"]  # no policy for low


def test_the_sla_page_keeps_policies_calendar_and_holidays(make_user, dispatcher, login_as):
    assert login_as(dispatcher).get("/service/sla").status_code == 403
    client = login_as(make_user(role="admin"))
    page = client.get("/service/sla")
    assert page.status_code == 200 and "SLA &amp; business calendar" in page.text
    assert "/service/sla" in client.get("/").text  # the menu item
    form = lambda **fields: {"csrf_token": token(client, "/service/sla"), **fields}
    bad = client.post(
        "/service/sla/policies",
        data=form(priority="urgent", response_hours="4", resolution_hours="2"),
    )
    assert bad.status_code == 422 and "fewer hours than responding" in bad.text
    client.post(
        "/service/sla/policies",
        data=form(category="", priority="urgent", response_hours="2", resolution_hours="8"),
    )
    policy = db.session.scalar(select(SlaPolicy))
    assert (policy.category, policy.priority, policy.resolution_hours) == ("", "urgent", 8)
    client.post(
        f"/service/sla/policies/{policy.id}",
        data=form(version="1", response_hours="3", resolution_hours="9"),
    )
    db.session.expire_all()
    assert (policy.response_hours, policy.resolution_hours) == (3, 9)
    bad = client.post(
        "/service/sla/calendar",
        data=form(timezone="Nowhere/Else", workdays__present="1", opens="09:00", closes="18:00"),
    )
    assert bad.status_code == 422 and "not a known time zone" in bad.text
    none = client.post(
        "/service/sla/calendar",
        data=form(timezone="Asia/Shanghai", workdays__present="1", opens="09:00", closes="18:00"),
    )
    assert none.status_code == 422 and db.session.get(BusinessCalendar, 1) is None
    client.post(
        "/service/sla/calendar",
        data=MultiDict(
            [
                ("csrf_token", token(client, "/service/sla")),
                ("timezone", "Asia/Shanghai"),
                ("workdays__present", "1"),
                ("workdays", "0"),
                ("workdays", "2"),
                ("opens", "08:30"),
                ("closes", "17:30"),
            ]
        ),
    )
    stored = db.session.get(BusinessCalendar, 1)
    assert (stored.workdays, stored.opens_minute, stored.closes_minute) == ([0, 2], 510, 1050)
    client.post("/service/sla/days", data=form(day="2026-10-10", name="调休", working="1"))
    client.post("/service/sla/days", data=form(day="2026-10-01", name="国庆节"))
    days = db.session.scalars(select(CalendarDay).order_by(CalendarDay.day)).all()
    assert [(d.day.isoformat(), d.working, d.name) for d in days] == [
        ("2026-10-01", False, "国庆节"),
        ("2026-10-10", True, "调休"),
    ]
    page = client.get("/service/sla").text
    assert "国庆节" in page and "Make-up working day" in page
    again = client.post("/service/sla/days", data=form(day="2026-10-01"))
    assert again.status_code == 422 and "already in the calendar" in again.text
    client.post("/service/sla/days/2026-10-10/delete", data=form())
    assert [d.day for d in db.session.scalars(select(CalendarDay))] == [date(2026, 10, 1)]
    client.post(f"/service/sla/policies/{policy.id}", data=form(delete="1"))
    assert db.session.scalar(select(SlaPolicy)) is None


def test_the_contracts_page_lists_renewals_due_soonest_first_within_scope(
    make_customer, make_engineer, dispatcher, login_as, as_user
):
    """All contracts of the customers one may see; "running out within 30 days"
    keeps the running ones ending in that window, soonest first."""
    from datetime import timedelta

    from core.api import utcnow

    today = utcnow().date()
    mine, other = make_customer(name="Mine Ltd"), make_customer(name="Other Ltd")
    engineer = make_engineer()
    mine.owner_id = engineer.id
    db.session.commit()

    def add(customer, number, starts, ends):
        entitlement.create_contract(
            {
                "number": number,
                "customer_id": customer.id,
                "starts_on": str(today + timedelta(days=starts)),
                "ends_on": str(today + timedelta(days=ends)),
            },
            None,
        )

    add(mine, "W-SOON", -300, 10)
    add(other, "W-SOONER", -300, 3)
    add(other, "W-LATER", -300, 200)
    add(other, "W-OLD", -800, -20)
    add(other, "W-FUTURE", 5, 20)  # ends within 30 days but has not started

    client = login_as(dispatcher)
    page = client.get("/service/contracts?expiring=30")
    assert page.status_code == 200
    shown = re.findall(r">(W-[A-Z]+)</a>", page.text)
    assert shown == ["W-SOONER", "W-SOON"]
    everything = client.get("/service/contracts").text
    assert set(re.findall(r">(W-[A-Z]+)</a>", everything)) == {
        "W-SOON",
        "W-SOONER",
        "W-LATER",
        "W-OLD",
        "W-FUTURE",
    }
    assert re.findall(r">(W-[A-Z]+)</a>", client.get("/service/contracts?q=old").text) == ["W-OLD"]
    assert "/service/contracts" in client.get("/service/work-orders").text

    own = login_as(engineer).get("/service/contracts")
    assert re.findall(r">(W-[A-Z]+)</a>", own.text) == ["W-SOON"]  # only their customer's

    api = as_user(dispatcher)
    listed = api.get("/api/v1/service/contracts?expiring_within=30&sort=ends_on").json
    assert [c["number"] for c in listed["items"]] == ["W-SOONER", "W-SOON"]
    bad = api.get("/api/v1/service/contracts?expiring_within=0")
    assert bad.status_code == 422 and "expiring_within" in bad.json["errors"]
