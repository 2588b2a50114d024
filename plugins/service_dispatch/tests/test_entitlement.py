"""Entitlement: which contract covers a job (serial number over product over
blanket; expired, future and deleted ones never), the SLA deadlines set when
an order is opened, and the contracts, SLA policies and calendar APIs —
their bad input (422 naming the field, nothing changed), stale writes (409)
and scope (another's customer's contract is a 404)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.api import ValidationError, db
from plugins.service_dispatch import entitlement, sla
from plugins.service_dispatch.business_hours import add_business_hours, load_calendar
from plugins.service_dispatch.models import WorkOrder
from plugins.service_dispatch.models_entitlement import Contract, SlaPolicy

API = "/api/v1/service"
SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 27)


@pytest.fixture
def contract(app):
    """``contract(customer, **fields)``: a contract running all of 2026, through the service."""
    def factory(customer, **fields):
        return entitlement.create_contract({
            "number": f"C-{fields.get('product')}-{fields.get('serial_number')}",
            "customer_id": customer.id, "starts_on": "2026-01-01", "ends_on": "2026-12-31",
            **fields}, None)
    return factory


def covering(customer, product=None, serial=None, category="repair", on=TODAY):
    found = entitlement.covering_contract(customer.id, product, serial, category, on)
    return found.number if found else None


def test_the_most_specific_running_contract_covers_the_job(make_customer, contract):
    customer = make_customer()
    contract(customer)  # blanket: everything the customer has
    contract(customer, product="RO-500")
    contract(customer, product="RO-500", serial_number="SN-1")
    contract(customer, serial_number="SN-9", kind="contract")
    assert covering(customer, "RO-500", "SN-1") == "C-RO-500-SN-1"
    assert covering(customer, "ro-500 ", "sn-1") == "C-RO-500-SN-1"  # case and spaces
    assert covering(customer, "RO-500", "SN-2") == "C-RO-500-None"
    assert covering(customer, "AC-9", "SN-1") == "C-None-None"  # SN-1 is an RO-500's
    assert covering(customer, "AC-9", "SN-9") == "C-None-SN-9"
    assert covering(customer, None, None) == "C-None-None"
    assert covering(make_customer(), "RO-500", "SN-1") is None  # another customer's


def test_expired_future_and_deleted_contracts_do_not_cover(make_customer, contract):
    customer = make_customer()
    old = contract(customer, product="RO-500", starts_on="2024-01-01", ends_on="2025-12-31")
    contract(customer, product="AC-9", starts_on="2027-01-01", ends_on="2027-12-31")
    gone = contract(customer, product="TV-1")
    entitlement.delete_contract(gone, None)
    assert covering(customer, "RO-500", on=date(2025, 12, 31)) == old.number  # its last day
    assert covering(customer, "RO-500", on=date(2026, 1, 1)) is None
    assert covering(customer, "AC-9", on=date(2026, 12, 31)) is None
    assert covering(customer, "AC-9", on=date(2027, 1, 1)) == "C-AC-9-None"
    assert covering(customer, "TV-1") is None


def test_a_contract_listing_categories_covers_only_those(make_customer, contract):
    customer = make_customer()
    contract(customer, product="RO-500", categories=["repair", "Maintenance"])
    assert covering(customer, "RO-500", category="maintenance") == "C-RO-500-None"
    assert covering(customer, "RO-500", category="installation") is None
    assert covering(customer, "RO-500", category=None) is None
    contract(customer, categories=[])
    assert covering(customer, "RO-500", category="installation") == "C-None-None"


def test_the_sla_policy_of_the_category_beats_the_default(app):
    for category, priority, hours in [("", "urgent", 2), ("installation", "urgent", 4),
                                      ("", "normal", 8)]:
        sla.create_policy({"category": category, "priority": priority,
                           "response_hours": hours, "resolution_hours": hours * 4}, None)
    assert entitlement.sla_policy("installation", "urgent").response_hours == 4
    assert entitlement.sla_policy(" Installation ", "urgent").response_hours == 4  # as typed
    assert entitlement.sla_policy("repair", "urgent").response_hours == 2
    assert entitlement.sla_policy(None, "urgent").response_hours == 2
    assert entitlement.sla_policy("installation", "normal").response_hours == 8
    assert entitlement.sla_policy("repair", "low") is None
    with pytest.raises(ValidationError) as refused:  # the same category, spelt otherwise
        sla.create_policy({"category": "Installation", "priority": "urgent",
                           "response_hours": 1, "resolution_hours": 2}, None)
    assert "priority" in refused.value.errors


def test_apply_entitlement_counts_deadlines_in_business_hours(make_customer, contract):
    customer = make_customer()
    contract(customer, product="RO-500")
    sla.create_policy({"priority": "urgent", "response_hours": 2, "resolution_hours": 8}, None)
    friday_five = datetime(2026, 11, 27, 17, tzinfo=SH)
    order = WorkOrder(customer_id=customer.id, product="RO-500", category="repair",
                      priority="urgent", created_at=friday_five)
    entitlement.apply_entitlement(order)
    assert (order.coverage, order.contract_id) == ("covered", db.session.scalar(
        select(Contract.id).where(Contract.number == "C-RO-500-None")))
    # 1h on Friday, then Monday 9:00 + 1h; resolve: 1h Friday + 7h Monday = Monday 16:00
    assert order.respond_by == datetime(2026, 11, 30, 10, tzinfo=SH)
    assert order.resolve_by == datetime(2026, 11, 30, 16, tzinfo=SH)
    chargeable = WorkOrder(customer_id=customer.id, product="AC-9", priority="low",
                           created_at=friday_five)
    entitlement.apply_entitlement(chargeable)
    assert (chargeable.coverage, chargeable.contract_id) == ("chargeable", None)
    assert (chargeable.respond_by, chargeable.resolve_by) == (None, None)  # no low policy


def test_an_order_opened_through_the_api_gets_coverage_and_deadlines(make_customer, contract,
                                                                     dispatcher, as_user):
    customer = make_customer()
    covered_by = contract(customer, serial_number="SN-1", starts_on="2020-01-01",
                          ends_on="2099-12-31")  # running whenever the test runs
    sla.create_policy({"priority": "high", "response_hours": 4, "resolution_hours": 16}, None)
    api = as_user(dispatcher)
    answer = api.post(f"{API}/work-orders", json={
        "title": "Leak", "customer_id": customer.id, "serial_number": "SN-1", "priority": "high"})
    assert answer.status_code == 201, answer.json
    order = db.session.get(WorkOrder, answer.json["id"])
    assert (answer.json["coverage"], answer.json["contract_id"]) == ("covered", covered_by.id)
    calendar = load_calendar()
    assert order.respond_by == add_business_hours(order.created_at, 4, calendar)
    assert order.resolve_by == add_business_hours(order.created_at, 16, calendar)
    assert order.respond_by - order.created_at >= timedelta(hours=4)
    assert answer.json["resolve_by"] is not None
    # a respond-by the clerk gives is kept; the resolve-by still follows the policy
    mine = api.post(f"{API}/work-orders", json={
        "title": "Noise", "customer_id": customer.id, "priority": "high",
        "respond_by": "2030-01-02T03:04:05+00:00"}).json
    assert mine["respond_by"].startswith("2030-01-02T03:04:05")
    assert mine["coverage"] == "chargeable" and mine["resolve_by"] is not None


# ---------------------------------------------------------------- contracts API


def body(customer, **fields):
    return {"number": "W-1", "kind": "warranty", "customer_id": customer.id,
            "product": "RO-500", "serial_number": "SN-1", "categories": ["repair"],
            "starts_on": "2026-01-01", "ends_on": "2027-12-31", **fields}


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
    changed = api.patch(f"{API}/contracts/{cid}", json={"version": 1, "ends_on": "2028-01-31",
                                                        "notes": "extended"})
    assert changed.status_code == 200, changed.json
    assert (changed.json["ends_on"], changed.json["version"]) == ("2028-01-31", 2)
    stale = api.patch(f"{API}/contracts/{cid}", json={"version": 1, "notes": "late"})
    assert stale.status_code == 409
    assert api.get(f"{API}/contracts/{cid}").json["notes"] == "extended"
    assert api.delete(f"{API}/contracts/{cid}", headers={"If-Match": "1"}).status_code == 409
    assert api.delete(f"{API}/contracts/{cid}").status_code == 204
    assert api.get(f"{API}/contracts/{cid}").status_code == 404
    assert db.session.get(Contract, cid).deleted_at is not None


@pytest.mark.parametrize("change, field", [
    ({"ends_on": "2025-12-31"}, "ends_on"),
    ({"kind": "guarantee"}, "kind"),
    ({"number": "  "}, "number"),
    ({"number": None}, "number"),
    ({"categories": "repair"}, "categories"),
    ({"categories": ["x" * 61]}, "categories"),
    ({"starts_on": "yesterday"}, "starts_on"),
    ({"customer_id": 999999}, "customer_id"),
    ({"customer_id": "abc"}, "customer_id"),
])
def test_bad_contracts_name_the_field_and_change_nothing(change, field, make_customer,
                                                         dispatcher, as_user):
    customer = make_customer()
    answer = as_user(dispatcher).post(f"{API}/contracts", json=body(customer, **change))
    assert answer.status_code == 422 and field in answer.json["errors"], answer.json
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 0


def test_a_bad_change_names_the_field_and_changes_nothing(make_customer, dispatcher, as_user):
    api = as_user(dispatcher)
    cid = api.post(f"{API}/contracts", json=body(make_customer())).json["id"]
    for change, field in [({"starts_on": "2028-01-01"}, "ends_on"), ({"kind": None}, "kind"),
                          ({"customer_id": 5}, "customer_id"), ({"ends_on": None}, "ends_on")]:
        answer = api.patch(f"{API}/contracts/{cid}", json={"version": 1, **change})
        assert answer.status_code == 422 and field in answer.json["errors"], (change, answer.json)
    after = api.get(f"{API}/contracts/{cid}").json
    assert (after["starts_on"], after["kind"], after["version"]) == ("2026-01-01", "warranty", 1)


def test_a_contract_is_seen_only_by_who_sees_its_customer(make_user, make_customer, roles,
                                                          dispatcher, as_user):
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
        return entitlement.create_contract({**body(customer), "number": f"LEAK-{owner.id}"},
                                           None)

    scope_leak_check(create, lambda c: c.number, api_list=f"{API}/contracts",
                     api_detail=f"{API}/contracts/{{id}}", pages=["/service/contracts/{id}"],
                     permissions=["service.order.read", "customer.read"])


# ------------------------------------------------------- SLA policies and calendar


def test_sla_policies_are_kept_by_a_service_admin(make_user, dispatcher, as_user):
    admin = as_user(make_user(role="admin"))
    new = {"category": "", "priority": "urgent", "response_hours": 2, "resolution_hours": 8}
    assert as_user(dispatcher).post(f"{API}/sla-policies", json=new).status_code == 403
    created = admin.post(f"{API}/sla-policies", json=new)
    assert created.status_code == 201, created.json
    for bad, field in [(new, "priority"), ({**new, "priority": "asap"}, "priority"),
                       ({**new, "priority": "low", "response_hours": 0}, "response_hours"),
                       ({**new, "priority": "low", "resolution_hours": 1}, "resolution_hours")]:
        answer = admin.post(f"{API}/sla-policies", json=bad)
        assert answer.status_code == 422 and field in answer.json["errors"], (bad, answer.json)
    pid = created.json["id"]
    assert admin.patch(f"{API}/sla-policies/{pid}", json={
        "version": 1, "resolution_hours": 1}).json["errors"]["resolution_hours"]
    assert admin.patch(f"{API}/sla-policies/{pid}", json={
        "version": 1, "response_hours": 3}).json["response_hours"] == 3
    assert admin.patch(f"{API}/sla-policies/{pid}", json={
        "version": 1, "response_hours": 4}).status_code == 409
    assert [p["response_hours"] for p in as_user(dispatcher).get(
        f"{API}/sla-policies").json] == [3]
    assert admin.delete(f"{API}/sla-policies/{pid}").status_code == 204
    assert db.session.scalar(select(func.count()).select_from(SlaPolicy)) == 0


def test_the_calendar_is_validated_and_versioned(make_user, dispatcher, as_user):
    admin = as_user(make_user(role="admin"))
    assert admin.get(f"{API}/calendar").json == {
        "timezone": "Asia/Shanghai", "workdays": [0, 1, 2, 3, 4], "opens": "09:00",
        "closes": "18:00", "version": None}
    assert as_user(dispatcher).patch(f"{API}/calendar", json={"opens": "08:00"}
                                     ).status_code == 403
    for bad, field in [({"timezone": "Mars/Olympus"}, "timezone"), ({"timezone": "../etc"},
                                                                    "timezone"),
                       ({"workdays": [7]}, "workdays"), ({"workdays": []}, "workdays"),
                       ({"opens": "25:00"}, "opens"), ({"closes": "9am"}, "closes"),
                       ({"opens": "18:00"}, "opens"), ({"opens": "10:00", "closes": "10:00"},
                                                       "closes")]:
        answer = admin.patch(f"{API}/calendar", json=bad)
        assert answer.status_code == 422 and field in answer.json["errors"], (bad, answer.json)
    assert admin.get(f"{API}/calendar").json["version"] is None  # nothing was saved
    saved = admin.patch(f"{API}/calendar", json={
        "timezone": "Europe/Berlin", "workdays": [5, 0, 1, 1], "opens": "08:30", "closes": "24:00"})
    assert saved.status_code == 200, saved.json
    assert saved.json == {"timezone": "Europe/Berlin", "workdays": [0, 1, 5], "opens": "08:30",
                          "closes": "24:00", "version": 1}
    assert admin.patch(f"{API}/calendar", json={"version": 0, "opens": "07:00"}
                       ).status_code == 409
    calendar = load_calendar()
    assert (calendar.timezone, calendar.opens_minute, calendar.closes_minute) == (
        "Europe/Berlin", 510, 1440)


def test_holidays_and_make_up_days_are_added_and_removed(make_user, as_user):
    admin = as_user(make_user(role="admin"))
    added = admin.post(f"{API}/calendar/days", json={"day": "2026-10-01", "name": "National Day"})
    assert added.status_code == 201 and added.json["working"] is False
    admin.post(f"{API}/calendar/days", json={"day": "2026-10-10", "working": True})
    admin.post(f"{API}/calendar/days", json={"day": "2027-02-06", "name": "Spring Festival"})
    for bad, field in [({"day": "2026-10-01"}, "day"), ({"day": "2026-02-30"}, "day"),
                       ({}, "day"), ({"day": "2026-05-01", "name": "x" * 121}, "name")]:
        answer = admin.post(f"{API}/calendar/days", json=bad)
        assert answer.status_code == 422 and field in answer.json["errors"], (bad, answer.json)
    assert [d["day"] for d in admin.get(f"{API}/calendar/days?year=2026").json] == [
        "2026-10-01", "2026-10-10"]
    assert load_calendar().is_working_day(date(2026, 10, 10))  # a Saturday, worked
    assert admin.delete(f"{API}/calendar/days/2026-10-10").status_code == 204
    assert admin.delete(f"{API}/calendar/days/2026-10-10").status_code == 404
    assert admin.delete(f"{API}/calendar/days/someday").status_code == 422
    assert not load_calendar().is_working_day(date(2026, 10, 10))


@pytest.mark.parametrize("locale, holiday, maintenance", [("en", "National Day", "maintenance"),
                                                          ("zh_CN", "国庆节", "保养")])
def test_the_demo_covers_some_orders_and_sets_deadlines(locale, holiday, maintenance,
                                                        make_customer, make_order):
    from plugins.service_dispatch.demo_entitlement import CONTRACTS, load_demo

    customers = [make_customer() for _ in range(5)]
    order = make_order(customer=customers[1], category=maintenance, priority="urgent")
    load_demo(locale, customers, [])
    db.session.commit()
    calendar = load_calendar()
    assert calendar.timezone == "Asia/Shanghai" and not calendar.is_working_day(date(2026, 10, 1))
    assert calendar.is_working_day(date(2026, 10, 10))  # the 调休 Saturday
    assert db.session.scalar(select(func.count()).select_from(SlaPolicy)) == 5
    assert holiday in [d.name for d in sla.calendar_days(2026)]
    db.session.refresh(order)
    assert order.coverage == "covered" and order.resolve_by is not None
    # the fifth customer's warranty has expired: it covered a year ago, not today
    product, today = CONTRACTS[locale][3][3], calendar.local_date(order.created_at)
    assert entitlement.covering_contract(customers[4].id, product, None, "repair",
                                         today - timedelta(days=200)) is not None
    assert entitlement.covering_contract(customers[4].id, product, None, "repair", today) is None
