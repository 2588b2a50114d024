"""Changing an open order: what the body names changes and nothing else; a
new priority, category, product or serial number re-decides coverage and the
SLA deadlines; stale, closed, out-of-scope and bad input are refused with
nothing changed — through the API and the order's edit page."""

import re

import pytest
from sqlalchemy import select

from core.api import Activity, db
from plugins.service_dispatch.services import entitlement, sla
from plugins.service_dispatch.services.business_hours import add_business_hours, load_calendar

from .conftest import reload

API = "/api/v1/service"


@pytest.fixture
def order(make_order, make_contact):
    """An open normal-priority repair of an RO-500 with no contract and no SLA policy."""
    order = make_order(product="RO-500", serial_number="SN-1")
    make_contact(customer=order.customer, name="Ms Lin")
    return order


def test_a_new_priority_and_serial_number_decide_coverage_and_deadlines_again(
    order, dispatcher, as_user
):
    assert (order.coverage, order.respond_by, order.resolve_by) == ("chargeable", None, None)
    sla.create_policy({"priority": "urgent", "response_hours": 2, "resolution_hours": 8}, None)
    covered_by = entitlement.create_contract(
        {
            "number": "W-1",
            "customer_id": order.customer_id,
            "serial_number": "SN-2",
            "starts_on": "2020-01-01",
            "ends_on": "2099-12-31",
        },
        None,
    )
    api, version = as_user(dispatcher), order.version
    answer = api.patch(
        f"{API}/work-orders/{order.id}",
        json={
            "priority": "urgent",
            "serial_number": " SN-2 ",
            "address": "9 River Rd",
            "version": version,
        },
    )
    assert answer.status_code == 200, answer.json
    changed = reload(order)
    calendar = load_calendar()
    assert (changed.priority, changed.serial_number, changed.address) == (
        "urgent",
        "SN-2",
        "9 River Rd",
    )
    assert (changed.coverage, changed.contract_id) == ("covered", covered_by.id)
    assert changed.respond_by == add_business_hours(changed.created_at, 2, calendar)
    assert changed.resolve_by == add_business_hours(changed.created_at, 8, calendar)
    assert changed.due_at == changed.respond_by  # the watchlist follows
    assert changed.title == "AC not cooling" and changed.version == version + 1
    entry = db.session.scalars(
        select(Activity).where(Activity.link_id == order.id).order_by(Activity.id.desc())
    ).first()
    assert entry.subject == f"Work order {order.number} changed: Priority, Address, Serial number"

    back = api.patch(
        f"{API}/work-orders/{order.id}", json={"priority": "normal", "version": changed.version}
    )
    assert back.status_code == 200
    assert (reload(order).respond_by, reload(order).resolve_by) == (None, None)  # no policy


def test_stale_closed_out_of_scope_and_bad_input_change_nothing(
    order, make_order, make_engineer, make_contact, make_user, dispatcher, as_user
):
    api = as_user(dispatcher)
    url, version = f"{API}/work-orders/{order.id}", order.version
    stale = api.patch(url, json={"title": "Other", "version": version - 1})
    assert stale.status_code == 409
    for body, field, status in [
        ({"title": " "}, "title", 422),
        ({"priority": "asap"}, "priority", 422),
        ({"contact_id": make_contact().id}, "contact_id", 404),  # another customer's
        ({"category": "x" * 61}, "category", 422),
        ({"status": "closed"}, "status", 422),
    ]:
        answer = api.patch(url, json={**body, "version": version})
        assert answer.status_code == status and field in answer.json["errors"], (body, answer.json)
    assert reload(order).version == version and reload(order).title == "AC not cooling"

    closed = make_order("closed", make_engineer())
    answer = api.patch(
        f"{API}/work-orders/{closed.id}", json={"title": "Late fix", "version": closed.version}
    )
    assert answer.status_code == 409 and "can no longer be changed" in answer.json["detail"]
    assert reload(closed).title == "AC not cooling"

    for user in (make_engineer(), make_user(role="sales")):  # neither may change orders
        answer = as_user(user).patch(url, json={"title": "Mine now", "version": version})
        assert answer.status_code == 403
    assert reload(order).title == "AC not cooling"


def token(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


@pytest.mark.parametrize(
    "locale, words",
    [("en", ["Edit work order", "Save", "decides the coverage"]), ("zh_CN", ["编辑工单", "保存"])],
)
def test_the_edit_page_changes_an_open_order(locale, words, order, make_user, roles, login_as):
    client = login_as(make_user(role="dispatcher", locale=locale))
    page = client.get(f"/service/work-orders/{order.id}")
    assert f"/service/work-orders/{order.id}/edit" in page.text
    path = f"/service/work-orders/{order.id}/edit"
    form = client.get(path)
    assert form.status_code == 200 and 'value="AC not cooling"' in form.text
    for word in words:
        assert word in form.text, word
    contact, version = order.customer.contacts[0], order.version
    bad = client.post(
        path,
        data={
            "csrf_token": token(client, path),
            "version": version,
            "title": "",
            "priority": "high",
        },
    )
    assert bad.status_code == 422 and 'id="e-title"' in bad.text
    saved = client.post(
        path,
        data={
            "csrf_token": token(client, path),
            "version": version,
            "title": "Leaking",
            "contact_id": str(contact.id),
            "priority": "high",
            "category": "repair",
            "product": "RO-500",
            "serial_number": "SN-1",
            "address": "1 Main St",
            "description": "Water under the unit",
        },
    )
    assert saved.status_code == 302 and saved.location.endswith(f"/work-orders/{order.id}")
    changed = reload(order)
    assert (changed.title, changed.contact_id, changed.priority, changed.description) == (
        "Leaking",
        contact.id,
        "high",
        "Water under the unit",
    )
    stale = client.post(
        path, data={"csrf_token": token(client, path), "version": version, "title": "Again"}
    )
    assert stale.status_code == 302 and reload(order).title == "Leaking"


def test_a_closed_order_has_no_edit_button_and_its_form_turns_away(
    make_order, make_engineer, dispatcher, login_as
):
    closed = make_order("closed", make_engineer())
    client = login_as(dispatcher)
    page = client.get(f"/service/work-orders/{closed.id}")
    assert page.status_code == 200 and f"/work-orders/{closed.id}/edit" not in page.text
    path = f"/service/work-orders/{closed.id}/edit"
    answer = client.post(
        path,
        data={"csrf_token": token(client, path), "version": closed.version, "title": "Late fix"},
    )
    assert answer.status_code == 302
    assert "can no longer be changed" in client.get(answer.location).text
    assert reload(closed).title == "AC not cooling"
