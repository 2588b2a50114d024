"""Charges (收费项目): what other records write through ``add_charges``,
void while unpaid and ask ``is_paid`` about; the registration fee charged
when a booking is made and voided when it is cancelled unpaid."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import ValidationError, db, transaction
from plugins.his.models import Charge
from plugins.his.services import billing, bookings

from .billing_fixtures import cash, clinic, counter, pay  # noqa: F401


def test_add_charges_prices_each_line_and_joins_the_callers_transaction(counter):
    wang = counter.patient("Wang")
    line = billing.ChargeLine("AMOX", "Amoxicillin 0.25 g", "drug", Decimal("3"), Decimal("4.335"))
    with pytest.raises(RuntimeError), transaction():
        billing.add_charges(
            wang.id, visit_id=None, source="prescription", source_id=7, lines=[line]
        )
        raise RuntimeError("the prescription failed")
    assert db.session.scalars(select(Charge)).all() == []  # nothing of the failed caller
    with transaction():
        [charge] = billing.add_charges(
            wang.id, visit_id=None, source="prescription", source_id=7, lines=[line]
        )
    assert (charge.amount, charge.unit_price, charge.status) == (
        Decimal("13.01"),
        Decimal("4.34"),
        "unpaid",
    )
    assert not billing.is_paid("prescription", 7)


def test_a_bad_line_is_refused_naming_the_lines(counter):
    wang = counter.patient("Wang")
    bad = billing.ChargeLine("X", "X", "jewellery", Decimal("0"), Decimal("1"))
    with pytest.raises(ValidationError) as caught:
        billing.add_charges(wang.id, visit_id=None, source="order", source_id=1, lines=[bad])
    assert list(caught.value.errors) == ["lines"] and len(caught.value.errors["lines"]) == 2


def test_void_charges_voids_unpaid_and_refuses_a_paid_record(counter):
    wang = counter.patient("Wang")
    first = counter.owe(wang, "10.00", "5.00")
    assert billing.void_charges("order", first[0].source_id) == 2
    assert {c.status for c in first} == {"void"}
    second = counter.owe(wang, "8.00")
    pay(counter, wang, second, cash("8.00"))
    assert billing.is_paid("order", second[0].source_id)
    with pytest.raises(ValidationError) as caught:
        billing.void_charges("order", second[0].source_id)
    assert "charges" in caught.value.errors
    db.session.refresh(second[0])
    assert second[0].status == "paid"


def test_a_booking_owes_its_fee_and_a_cancelled_unpaid_one_is_void(counter):
    wang = counter.patient("Wang")
    session = counter.session()
    booking = bookings.book(
        {"session_id": session.id, "customer_id": wang.id, "channel": "desk"}, counter.clerk
    )
    [fee] = billing.charges_of("booking", booking.id)
    assert (fee.amount, fee.category, fee.booking_id, fee.item_code) == (
        Decimal("12.50"),
        "registration",
        booking.id,
        "REG-GENERAL",
    )
    bookings.cancel(booking, {"reason": "ill"}, counter.clerk)
    db.session.refresh(fee)
    assert fee.status == "void"
    assert billing.unpaid_charges(wang.id) == []


def test_a_paid_registration_stays_paid_when_cancelled(counter):
    wang = counter.patient("Wang")
    session = counter.session()
    booking = bookings.book(
        {"session_id": session.id, "customer_id": wang.id, "channel": "desk"}, counter.clerk
    )
    pay(counter, wang, billing.charges_of("booking", booking.id), cash("20.00"))
    bookings.cancel(booking, {"reason": "ill"}, counter.clerk)
    assert [c.status for c in billing.charges_of("booking", booking.id)] == ["paid"]
    assert billing.is_paid("booking", booking.id)
