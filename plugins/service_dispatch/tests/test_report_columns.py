"""The columns the SLA report counts on: ``repeat_of_id`` set when an order
is opened for a serial number completed in the 30 days before, and
``reopen_count`` kept by the lifecycle."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.api import db, utcnow
from plugins.service_dispatch.services import orders, reports
from plugins.service_dispatch.services.lifecycle import transition

from .conftest import reload


@pytest.fixture
def done(make_order, make_engineer):
    """``done(serial, days_ago)``: an order of ``serial`` completed ``days_ago`` days ago."""
    engineer = make_engineer()

    def factory(serial: str, days_ago: float, **fields):
        order = make_order("completed", engineer, serial_number=serial, **fields)
        order.completed_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()
        return order

    return factory


def open_order(make_customer, serial: str | None):
    customer = make_customer(region="East")
    return orders.create_work_order(
        {"title": "Again", "customer_id": customer.id, "serial_number": serial}, None
    )


def test_an_order_opened_within_30_days_of_a_completed_visit_is_a_repeat(done, make_customer):
    done("SN-1", 40)
    latest, earlier = done("SN-1", 20), done("SN-1", 29.5)
    done("SN-2", 1)
    order = open_order(make_customer, "SN-1")
    assert reload(order).repeat_of_id == latest.id != earlier.id  # the visit completed last


def test_not_a_repeat_beyond_30_days_for_another_serial_or_a_deleted_or_open_order(
    done, make_order, make_customer
):
    done("SN-1", 30.1)
    done("SN-2", 3)
    deleted = done("SN-3", 3)
    deleted.deleted_at = utcnow()
    make_order("on_site", None, serial_number="SN-4")  # not completed
    db.session.commit()
    for serial in ("SN-1", "SN-3", "SN-4", None):
        assert reload(open_order(make_customer, serial)).repeat_of_id is None, serial
    assert reload(open_order(make_customer, "SN-2")).repeat_of_id is not None


def test_each_reopen_is_counted(make_order, make_engineer, dispatcher):
    order = make_order("completed", make_engineer())
    assert reload(order).reopen_count == 0
    transition(order, "reopen", dispatcher, {"reason": "still leaking"}, order.version)
    assert reload(order).reopen_count == 1
    order = reload(order)
    order.status = "completed"
    db.session.commit()
    transition(order, "reopen", dispatcher, {"reason": "leaking again"}, order.version)
    assert reload(order).reopen_count == 2


def test_the_report_counts_repeats_and_reopens_from_the_columns(
    done, make_order, make_engineer, make_customer, dispatcher
):
    first = done("SN-9", 2, product="AC-1")  # opened today, completed: a first-time fix
    repeat = open_order(make_customer, "SN-9")  # a repeat visit of it, still new
    other = make_order("completed", make_engineer(), product="AC-1")
    transition(other, "reopen", dispatcher, {"reason": "noise"}, other.version)
    other = reload(other)
    other.status, other.completed_at = "completed", utcnow()
    db.session.commit()  # completed again after a reopen: not a first-time fix
    r = reports.sla_report(dispatcher, {}, utcnow())
    assert r["orders"]["total"] == 3 and r["orders"]["resolved"] == 2
    assert r["first_time_fix_rate"] == 0.5
    assert r["repeat_visits"] == [{"product": None, "orders": 1, "repeat_visits": 1, "rate": 1.0}]
    assert reload(repeat).repeat_of_id == first.id


def test_the_first_accept_is_the_response_and_a_reassignment_keeps_it(
    make_order, make_engineer, dispatcher
):
    li, wang = make_engineer(name="Li"), make_engineer(name="Wang")
    order = make_order("assigned", li, respond_by=(utcnow() + timedelta(hours=1)).isoformat())
    transition(order, "accept", li)
    first = reload(order).responded_at
    assert first is not None
    transition(reload(order), "assign", dispatcher, {"engineer_id": wang.id})
    again = reload(order)
    assert again.accepted_at is None and again.responded_at == first
    transition(again, "accept", wang)
    assert reload(order).responded_at == first
    figures = reports.sla_report(dispatcher, {})
    assert figures["response"] == {"met": 1, "breached": 0, "rate": 1.0}
