"""The contracts, SLA policies and calendar APIs: their bad input (422 naming
the field, nothing changed), stale writes (409) and scope (another's
customer's contract is a 404)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from core.api import db
from plugins.service_dispatch.models import Contract, SlaPolicy
from plugins.service_dispatch.services import entitlement
from plugins.service_dispatch.services.business_hours import load_calendar

API = "/api/v1/service"

# ---------------------------------------------------------------- contracts API


def body(customer, **fields):
    return {
        "number": "W-1",
        "kind": "warranty",
        "customer_id": customer.id,
        "product": "RO-500",
        "serial_number": "SN-1",
        "categories": ["repair"],
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        **fields,
    }


def test_contracts_are_created_listed_changed_and_deleted(make_customer, dispatcher, as_user):
    customer, other = make_customer(), make_customer()
    api = as_user(dispatcher)
    created = api.post(f"{API}/contracts", json=body(customer, categories=[" repair ", "repair"]))
    assert created.status_code == 201, created.json
    assert created.json["categories"] == ["repair"] and created.json["version"] == 1
    api.post(f"{API}/contracts", json=body(other, number="W-2", starts_on="2027-06-01"))
    ids = lambda answer: [c["number"] for c in answer.json["items"]]
    assert ids(api.get(f"{API}/contracts?customer_id={customer.id}")) == ["W-1"]
    assert ids(api.get(f"{API}/contracts?active_on=2026-06-01")) == ["W-1"]
    assert sorted(ids(api.get(f"{API}/contracts?q=RO-5"))) == ["W-1", "W-2"]
    cid = created.json["id"]
    changed = api.patch(
        f"{API}/contracts/{cid}", json={"version": 1, "ends_on": "2028-01-31", "notes": "extended"}
    )
    assert changed.status_code == 200, changed.json
    assert (changed.json["ends_on"], changed.json["version"]) == ("2028-01-31", 2)
    stale = api.patch(f"{API}/contracts/{cid}", json={"version": 1, "notes": "late"})
    assert stale.status_code == 409
    assert api.get(f"{API}/contracts/{cid}").json["notes"] == "extended"
    assert api.delete(f"{API}/contracts/{cid}", headers={"If-Match": "1"}).status_code == 409
    assert api.delete(f"{API}/contracts/{cid}").status_code == 204
    assert api.get(f"{API}/contracts/{cid}").status_code == 404
    assert db.session.get(Contract, cid).deleted_at is not None


@pytest.mark.parametrize(
    "change, field",
    [
        ({"ends_on": "2025-12-31"}, "ends_on"),
        ({"kind": "guarantee"}, "kind"),
        ({"number": "  "}, "number"),
        ({"number": None}, "number"),
        ({"categories": "repair"}, "categories"),
        ({"categories": ["x" * 61]}, "categories"),
        ({"starts_on": "yesterday"}, "starts_on"),
        ({"customer_id": 999999}, "customer_id"),
        ({"customer_id": "abc"}, "customer_id"),
    ],
)
def test_bad_contracts_name_the_field_and_change_nothing(
    change, field, make_customer, dispatcher, as_user
):
    customer = make_customer()
    answer = as_user(dispatcher).post(f"{API}/contracts", json=body(customer, **change))
    status = 404 if change.get("customer_id") == 999999 else 422  # no such customer: 404
    assert answer.status_code == status and field in answer.json["errors"], answer.json
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 0


def test_a_bad_change_names_the_field_and_changes_nothing(make_customer, dispatcher, as_user):
    api = as_user(dispatcher)
    cid = api.post(f"{API}/contracts", json=body(make_customer())).json["id"]
    for change, field in [
        ({"starts_on": "2028-01-01"}, "ends_on"),
        ({"kind": None}, "kind"),
        ({"customer_id": 5}, "customer_id"),
        ({"ends_on": None}, "ends_on"),
    ]:
        answer = api.patch(f"{API}/contracts/{cid}", json={"version": 1, **change})
        assert answer.status_code == 422 and field in answer.json["errors"], (change, answer.json)
    after = api.get(f"{API}/contracts/{cid}").json
    assert (after["starts_on"], after["kind"], after["version"]) == ("2026-01-01", "warranty", 1)


def test_a_contract_is_seen_only_by_who_sees_its_customer(
    make_user, make_customer, roles, dispatcher, as_user
):
    engineer = make_user(role="engineer")
    theirs = make_customer(owner_id=engineer.id)
    hidden = make_customer(owner_id=dispatcher.id)
    boss = as_user(dispatcher)
    visible_id = boss.post(f"{API}/contracts", json=body(theirs)).json["id"]
    hidden_id = boss.post(f"{API}/contracts", json=body(hidden, number="W-2")).json["id"]
    api = as_user(engineer)
    assert [c["id"] for c in api.get(f"{API}/contracts").json["items"]] == [visible_id]
    assert api.get(f"{API}/contracts/{visible_id}").status_code == 200
    assert api.get(f"{API}/contracts/{hidden_id}").status_code == 404
    assert api.post(f"{API}/contracts", json=body(theirs)).status_code == 403  # read only
    assert as_user(make_user(role="sales")).get(f"{API}/contracts").status_code == 403


def test_contracts_leak_nothing_across_scopes(scope_leak_check, make_customer):
    def create(owner):
        customer = make_customer(owner_id=owner.id, team_id=owner.team_id)
        return entitlement.create_contract({**body(customer), "number": f"LEAK-{owner.id}"}, None)

    scope_leak_check(
        create,
        lambda c: c.number,
        api_list=f"{API}/contracts",
        api_detail=f"{API}/contracts/{{id}}",
        pages=["/service/contracts/{id}"],
        permissions=["service.order.read", "customer.read"],
    )


# ------------------------------------------------------- SLA policies and calendar


def test_sla_policies_are_kept_by_a_service_admin(make_user, dispatcher, as_user):
    admin = as_user(make_user(role="admin"))
    new = {"category": "", "priority": "urgent", "response_hours": 2, "resolution_hours": 8}
    assert as_user(dispatcher).post(f"{API}/sla-policies", json=new).status_code == 403
    created = admin.post(f"{API}/sla-policies", json=new)
    assert created.status_code == 201, created.json
    for bad, field, status in [
        (new, "priority", 409),  # the category has a policy for this priority
        ({**new, "priority": "asap"}, "priority", 422),
        ({**new, "priority": "low", "response_hours": 0}, "response_hours", 422),
        ({**new, "priority": "low", "response_hours": 2.5}, "response_hours", 422),
        ({**new, "priority": "low", "resolution_hours": 1}, "resolution_hours", 422),
    ]:
        answer = admin.post(f"{API}/sla-policies", json=bad)
        assert answer.status_code == status and field in answer.json["errors"], (bad, answer.json)
    pid = created.json["id"]
    assert admin.patch(
        f"{API}/sla-policies/{pid}", json={"version": 1, "resolution_hours": 1}
    ).json["errors"]["resolution_hours"]
    assert (
        admin.patch(f"{API}/sla-policies/{pid}", json={"version": 1, "response_hours": 3}).json[
            "response_hours"
        ]
        == 3
    )
    assert (
        admin.patch(
            f"{API}/sla-policies/{pid}", json={"version": 1, "response_hours": 4}
        ).status_code
        == 409
    )
    assert [p["response_hours"] for p in as_user(dispatcher).get(f"{API}/sla-policies").json] == [3]
    assert admin.delete(f"{API}/sla-policies/{pid}").status_code == 204
    assert db.session.scalar(select(func.count()).select_from(SlaPolicy)) == 0


def test_the_calendar_is_validated_and_versioned(make_user, dispatcher, as_user):
    admin = as_user(make_user(role="admin"))
    assert admin.get(f"{API}/calendar").json == {
        "timezone": "UTC",  # the instance's (TRELLIS_TIMEZONE) until one is saved
        "workdays": [0, 1, 2, 3, 4],
        "opens": "09:00",
        "closes": "18:00",
        "version": None,
    }
    assert as_user(dispatcher).patch(f"{API}/calendar", json={"opens": "08:00"}).status_code == 403
    for bad, field in [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../etc"}, "timezone"),
        ({"workdays": [7]}, "workdays"),
        ({"workdays": []}, "workdays"),
        ({"opens": "25:00"}, "opens"),
        ({"closes": "9am"}, "closes"),
        ({"opens": "18:00"}, "opens"),
        ({"opens": "10:00", "closes": "10:00"}, "closes"),
    ]:
        answer = admin.patch(f"{API}/calendar", json=bad)
        assert answer.status_code == 422 and field in answer.json["errors"], (bad, answer.json)
    assert admin.get(f"{API}/calendar").json["version"] is None  # nothing was saved
    saved = admin.patch(
        f"{API}/calendar",
        json={
            "timezone": "Europe/Berlin",
            "workdays": [5, 0, 1, 1],
            "opens": "08:30",
            "closes": "24:00",
        },
    )
    assert saved.status_code == 200, saved.json
    assert saved.json == {
        "timezone": "Europe/Berlin",
        "workdays": [0, 1, 5],
        "opens": "08:30",
        "closes": "24:00",
        "version": 1,
    }
    assert admin.patch(f"{API}/calendar", json={"version": 0, "opens": "07:00"}).status_code == 409
    calendar = load_calendar()
    assert (calendar.timezone, calendar.opens_minute, calendar.closes_minute) == (
        "Europe/Berlin",
        510,
        1440,
    )


def test_holidays_and_make_up_days_are_added_and_removed(make_user, as_user):
    admin = as_user(make_user(role="admin"))
    added = admin.post(f"{API}/calendar/days", json={"day": "2026-10-01", "name": "National Day"})
    assert added.status_code == 201 and added.json["working"] is False
    admin.post(f"{API}/calendar/days", json={"day": "2026-10-10", "working": True})
    admin.post(f"{API}/calendar/days", json={"day": "2027-02-06", "name": "Spring Festival"})
    for bad, field, status in [
        ({"day": "2026-10-01"}, "day", 409),  # already in the calendar
        ({"day": "2026-02-30"}, "day", 422),
        ({}, "day", 422),
        ({"day": "2026-05-01", "name": "x" * 121}, "name", 422),
        ({"day": "2026-05-01", "working": 0}, "working", 422),
    ]:
        answer = admin.post(f"{API}/calendar/days", json=bad)
        assert answer.status_code == status and field in answer.json["errors"], (bad, answer.json)
    assert [d["day"] for d in admin.get(f"{API}/calendar/days?year=2026").json] == [
        "2026-10-01",
        "2026-10-10",
    ]
    assert load_calendar().is_working_day(date(2026, 10, 10))  # a Saturday, worked
    assert admin.delete(f"{API}/calendar/days/2026-10-10").status_code == 204
    assert admin.delete(f"{API}/calendar/days/2026-10-10").status_code == 404
    assert admin.delete(f"{API}/calendar/days/someday").status_code == 422
    assert not load_calendar().is_working_day(date(2026, 10, 10))
