"""Entitlement: which contract covers a job (serial number over product over
blanket; expired, future and deleted ones never; only the categories it
lists), which SLA policy applies, and the SLA deadlines set in business hours
when an order is opened — through the service, the API and the demo."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.api import ValidationError, db
from plugins.service_dispatch.models import Contract, SlaPolicy, WorkOrder
from plugins.service_dispatch.services import entitlement, sla
from plugins.service_dispatch.services.business_hours import add_business_hours, load_calendar

API = "/api/v1/service"
SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 27)


@pytest.fixture
def contract(app):
    """``contract(customer, **fields)``: a contract running all of 2026, through the service."""

    def factory(customer, **fields):
        return entitlement.create_contract(
            {
                "number": f"C-{fields.get('product')}-{fields.get('serial_number')}",
                "customer_id": customer.id,
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                **fields,
            },
            None,
        )

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
    for category, priority, hours in [
        ("", "urgent", 2),
        ("installation", "urgent", 4),
        ("", "normal", 8),
    ]:
        sla.create_policy(
            {
                "category": category,
                "priority": priority,
                "response_hours": hours,
                "resolution_hours": hours * 4,
            },
            None,
        )
    assert entitlement.sla_policy("installation", "urgent").response_hours == 4
    assert entitlement.sla_policy(" Installation ", "urgent").response_hours == 4  # as typed
    assert entitlement.sla_policy("repair", "urgent").response_hours == 2
    assert entitlement.sla_policy(None, "urgent").response_hours == 2
    assert entitlement.sla_policy("installation", "normal").response_hours == 8
    assert entitlement.sla_policy("repair", "low") is None
    with pytest.raises(ValidationError) as refused:  # the same category, spelt otherwise
        sla.create_policy(
            {
                "category": "Installation",
                "priority": "urgent",
                "response_hours": 1,
                "resolution_hours": 2,
            },
            None,
        )
    assert "priority" in refused.value.errors


def test_apply_entitlement_counts_deadlines_in_business_hours(make_customer, contract):
    sla.update_calendar({"timezone": "Asia/Shanghai"}, None)  # a company in Shanghai
    customer = make_customer()
    contract(customer, product="RO-500")
    sla.create_policy({"priority": "urgent", "response_hours": 2, "resolution_hours": 8}, None)
    friday_five = datetime(2026, 11, 27, 17, tzinfo=SH)
    order = WorkOrder(
        customer_id=customer.id,
        product="RO-500",
        category="repair",
        priority="urgent",
        created_at=friday_five,
    )
    entitlement.apply_entitlement(order)
    assert (order.coverage, order.contract_id) == (
        "covered",
        db.session.scalar(select(Contract.id).where(Contract.number == "C-RO-500-None")),
    )
    # 1h on Friday, then Monday 9:00 + 1h; resolve: 1h Friday + 7h Monday = Monday 16:00
    assert order.respond_by == datetime(2026, 11, 30, 10, tzinfo=SH)
    assert order.resolve_by == datetime(2026, 11, 30, 16, tzinfo=SH)
    chargeable = WorkOrder(
        customer_id=customer.id, product="AC-9", priority="low", created_at=friday_five
    )
    entitlement.apply_entitlement(chargeable)
    assert (chargeable.coverage, chargeable.contract_id) == ("chargeable", None)
    assert (chargeable.respond_by, chargeable.resolve_by) == (None, None)  # no low policy


def test_an_order_opened_through_the_api_gets_coverage_and_deadlines(
    make_customer, contract, dispatcher, as_user
):
    customer = make_customer()
    covered_by = contract(
        customer, serial_number="SN-1", starts_on="2020-01-01", ends_on="2099-12-31"
    )  # running whenever the test runs
    sla.create_policy({"priority": "high", "response_hours": 4, "resolution_hours": 16}, None)
    api = as_user(dispatcher)
    answer = api.post(
        f"{API}/work-orders",
        json={
            "title": "Leak",
            "customer_id": customer.id,
            "serial_number": "SN-1",
            "priority": "high",
        },
    )
    assert answer.status_code == 201, answer.json
    order = db.session.get(WorkOrder, answer.json["id"])
    assert (answer.json["coverage"], answer.json["contract_id"]) == ("covered", covered_by.id)
    calendar = load_calendar()
    assert order.respond_by == add_business_hours(order.created_at, 4, calendar)
    assert order.resolve_by == add_business_hours(order.created_at, 16, calendar)
    assert order.respond_by - order.created_at >= timedelta(hours=4)
    assert answer.json["resolve_by"] is not None
    # a respond-by the clerk gives is kept; the resolve-by still follows the policy
    mine = api.post(
        f"{API}/work-orders",
        json={
            "title": "Noise",
            "customer_id": customer.id,
            "priority": "high",
            "respond_by": "2030-01-02T03:04:05+00:00",
        },
    ).json
    assert mine["respond_by"].startswith("2030-01-02T03:04:05")
    assert mine["coverage"] == "chargeable" and mine["resolve_by"] is not None


@pytest.mark.parametrize(
    "locale, zone, holiday, day_off, saturday_worked, maintenance",
    [
        ("en", "America/New_York", "Thanksgiving Day", date(2026, 11, 26), False, "maintenance"),
        ("zh_CN", "Asia/Shanghai", "国庆节", date(2026, 10, 1), True, "保养"),
    ],
)
def test_the_demo_covers_some_orders_and_sets_deadlines(
    locale, zone, holiday, day_off, saturday_worked, maintenance, make_customer, make_order
):
    """The calendar is the demo's market's: American holidays on New York's
    clock, or Chinese ones (with the 调休 Saturday 10 October worked) on Shanghai's."""
    from plugins.service_dispatch.demo.entitlement import CONTRACTS, load_demo

    customers = [make_customer() for _ in range(5)]
    order = make_order(customer=customers[1], category=maintenance, priority="urgent")
    load_demo(locale, customers, [])
    db.session.commit()
    calendar = load_calendar()
    assert calendar.timezone == zone and not calendar.is_working_day(day_off)
    assert calendar.is_working_day(date(2026, 10, 10)) is saturday_worked
    assert db.session.scalar(select(func.count()).select_from(SlaPolicy)) == 5
    assert holiday in [d.name for d in sla.calendar_days(2026)]
    db.session.refresh(order)
    assert order.coverage == "covered" and order.resolve_by is not None
    # the fifth customer's warranty has expired: it covered a year ago, not today
    product, today = CONTRACTS[locale][3][3], calendar.local_date(order.created_at)
    assert (
        entitlement.covering_contract(
            customers[4].id, product, None, "repair", today - timedelta(days=200)
        )
        is not None
    )
    assert entitlement.covering_contract(customers[4].id, product, None, "repair", today) is None


def test_hours_the_calendar_cannot_fit_leave_no_deadline_not_a_crash(
    make_customer, dispatcher, as_user
):
    """A calendar open one minute a week holds about 2.6 hours in three years:
    a 10,000-hour policy has no deadline to set (found by the contract fuzzer)."""
    sla.update_calendar({"workdays": [0], "opens": "09:00", "closes": "09:01"}, None)
    sla.create_policy({"priority": "high", "response_hours": 1, "resolution_hours": 10_000}, None)
    answer = as_user(dispatcher).post(
        f"{API}/work-orders",
        json={"title": "Leak", "customer_id": make_customer().id, "priority": "high"},
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["resolve_by"] is None and answer.json["respond_by"] is not None
