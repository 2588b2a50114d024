"""A cashier's daily settlement (日结): totals by method checked against
figures worked out by hand, only that cashier's, closing twice refused on
``day``, and a payment after closing counted in the next settlement."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import ValidationError, db, utcnow
from plugins.his.models import PatientPayment, Settlement
from plugins.his.services import billing

from .billing_fixtures import cash, clinic, counter, pay  # noqa: F401


def test_closing_adds_up_the_cashiers_day_by_method(counter):
    wang, li = counter.patient("Wang"), counter.patient("Li")
    # Zhao: 42.50 by 20.00 WeChat + 22.50 cash (50.00 handed over, 27.50 change)
    pay(
        counter,
        wang,
        counter.owe(wang, "30.00", "12.50"),
        {"method": "wechat", "amount": "20.00"},
        cash("50.00"),
    )
    # Zhao: 100.00 by card
    paid = pay(counter, li, counter.owe(li, "100.00"), {"method": "card", "amount": "100.00"})
    # Zhao: 15.00 by Alipay
    pay(counter, li, counter.owe(li, "15.00"), {"method": "alipay", "amount": "15.00"})
    # Qin (another cashier): 60.00 cash — not Zhao's
    pay(counter, wang, counter.owe(wang, "60.00"), cash("60.00"), by=counter.other_cashier)
    # Zhao pays out a 40.00 refund of the card payment, in cash
    refund = billing.request_refund(
        {"payment_id": paid.id, "amount": "40.00", "reason": "x", "method": "cash"}, counter.cashier
    )
    billing.pay_refund(refund, counter.cashier)

    settlement = billing.close_settlement(counter.cashier)
    assert (settlement.payment_count, settlement.refund_count) == (3, 1)
    assert settlement.collected == {
        "cash": "22.50",
        "card": "100.00",
        "wechat": "20.00",
        "alipay": "15.00",
        "insurance": "0.00",
    }
    assert settlement.refunded == {
        "cash": "40.00",
        "card": "0.00",
        "wechat": "0.00",
        "alipay": "0.00",
    }
    assert settlement.total_collected == Decimal("157.50")  # 42.50 + 100.00 + 15.00
    assert settlement.total_refunded == Decimal("40.00")
    assert settlement.cash_in_drawer == Decimal("-17.50")  # 22.50 in, 40.00 out
    mine = db.session.scalars(
        select(PatientPayment.settlement_id).where(PatientPayment.cashier_id == counter.cashier.id)
    ).all()
    assert mine == [settlement.id] * 3
    other = billing.open_totals(counter.other_cashier.id, utcnow())
    assert other.collected["cash"] == Decimal("60.00") and len(other.payment_ids) == 1


def test_closing_twice_is_refused_and_a_later_payment_waits_for_the_next(counter):
    wang = counter.patient("Wang")
    pay(counter, wang, counter.owe(wang, "10.00"), cash("10.00"))
    first = billing.close_settlement(counter.cashier)
    late = pay(counter, wang, counter.owe(wang, "7.00"), cash("7.00"))
    with pytest.raises(ValidationError) as caught:
        billing.close_settlement(counter.cashier)
    assert list(caught.value.errors) == ["day"]
    db.session.rollback()
    assert (
        db.session.scalar(select(PatientPayment.settlement_id).where(PatientPayment.id == late.id))
        is None
    )
    tomorrow = billing.close_settlement(counter.cashier, day=first.day + timedelta(days=1))
    assert (tomorrow.payment_count, tomorrow.total_collected) == (1, Decimal("7.00"))
    assert (
        db.session.scalar(select(PatientPayment.settlement_id).where(PatientPayment.id == late.id))
        == tomorrow.id
    )
    assert len(db.session.scalars(select(Settlement)).all()) == 2


def test_an_empty_day_closes_with_zeros(counter):
    settlement = billing.close_settlement(counter.cashier)
    assert (settlement.payment_count, settlement.total_collected, settlement.cash_in_drawer) == (
        0,
        Decimal("0"),
        Decimal("0"),
    )
