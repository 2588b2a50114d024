"""Taking a payment (收费): split tenders, cash change, over- and
under-payment refused on ``tenders``, receipt numbers without gaps when a
payment is rolled back, two cashiers on the same charge, the insurance
share through ``trellis_his_coverage``, the ``his_payment_received`` event
after the commit, and who sees a payment."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import NotFoundError, ValidationError, db, transaction
from core.testing import plugin_module
from plugins.his.models import Charge, PatientPayment
from plugins.his.services import billing

from .billing_fixtures import cash, clinic, counter, pay  # noqa: F401


def _refused(call, field: str, status: type = ValidationError) -> ValidationError:
    with pytest.raises(status) as caught:
        call()
    assert field in caught.value.errors
    db.session.rollback()
    return caught.value


def test_split_tenders_pay_the_total_and_cash_gives_change(counter):
    wang = counter.patient("Wang")
    charges = counter.owe(wang, "30.00", "12.50")
    payment = pay(counter, wang, charges, {"method": "wechat", "amount": "20.00"}, cash("50.00"))
    assert (payment.total, payment.change) == (Decimal("42.50"), Decimal("27.50"))
    tenders = {t.method: (t.amount, t.tendered) for t in payment.tenders}
    assert tenders == {
        "wechat": (Decimal("20.00"), None),
        "cash": (Decimal("22.50"), Decimal("50.00")),
    }
    assert {c.status for c in charges} == {"paid"} and {c.payment_id for c in charges} == {
        payment.id
    }
    assert re.fullmatch(r"SF\d{8}-00001", payment.number)


@pytest.mark.parametrize(
    "tenders",
    [
        [{"method": "card", "amount": "43.00"}],  # a card pays no change
        [{"method": "card", "amount": "40.00"}, {"method": "alipay", "amount": "3.00"}],
        [{"method": "card", "amount": "42.50"}, cash("1.00")],  # cash on top of a full total
    ],
)
def test_over_payment_is_refused_and_nothing_is_written(counter, tenders):
    wang = counter.patient("Wang")
    charges = counter.owe(wang, "30.00", "12.50")
    _refused(lambda: pay(counter, wang, charges, *tenders), "tenders")
    assert db.session.scalars(select(PatientPayment)).all() == []
    assert {c.status for c in db.session.scalars(select(Charge))} == {"unpaid"}


def test_too_little_is_refused_naming_what_is_missing(counter):
    wang = counter.patient("Wang")
    charges = counter.owe(wang, "30.00")
    error = _refused(
        lambda: pay(counter, wang, charges, cash("10.00"), {"method": "card", "amount": "5.00"}),
        "tenders",
    )
    assert "15.00" in error.errors["tenders"][0]


def test_receipt_numbers_have_no_gap_when_a_payment_is_rolled_back(counter):
    wang = counter.patient("Wang")
    first, second, third = (counter.owe(wang, "5.00") for _ in range(3))
    kept = pay(counter, wang, first, cash("5.00"))
    with pytest.raises(RuntimeError), transaction():
        pay(counter, wang, second, cash("5.00"))
        raise RuntimeError("the printer jammed: the caller's transaction fails")
    db.session.refresh(second[0])
    assert second[0].status == "unpaid"
    again = pay(counter, wang, second, cash("5.00"))
    last = pay(counter, wang, third, cash("5.00"))
    serials = [int(p.number.rsplit("-", 1)[1]) for p in (kept, again, last)]
    assert serials == [1, 2, 3]


def test_a_charge_paid_meanwhile_is_refused_and_gives_its_number_back(counter):
    wang = counter.patient("Wang")
    charges = counter.owe(wang, "5.00", "6.00")
    pay(counter, wang, charges[:1], cash("5.00"), by=counter.other_cashier)
    _refused(lambda: pay(counter, wang, charges, cash("11.00")), "charge_ids")
    payment = pay(counter, wang, charges[1:], cash("6.00"))
    assert payment.number.endswith("-00002")


def test_charges_of_another_patient_are_not_found(counter):
    wang, li = counter.patient("Wang"), counter.patient("Li")
    charges = counter.owe(li, "5.00")
    _refused(lambda: pay(counter, wang, charges, cash("5.00")), "charge_ids")


def test_hook_his_payment_received_fires_after_the_commit(counter, trellis_register_plugin):
    heard: list[tuple[str, str]] = []
    trellis_register_plugin(
        plugin_module(
            "probe",
            trellis_his_payment_received=lambda payment: heard.append(
                (payment.number, str(payment.total))
            ),
        )
    )
    wang = counter.patient("Wang")
    charges = counter.owe(wang, "8.00")
    _refused(lambda: pay(counter, wang, charges, cash("1.00")), "tenders")
    assert heard == []  # a refused payment announces nothing
    payment = pay(counter, wang, charges, cash("8.00"))
    assert heard == [(payment.number, "8.00")]


def test_hook_his_coverage_pays_the_insurers_share(counter, trellis_register_plugin):
    asked = []

    def coverage(customer_id, on, charges):
        asked.append((customer_id, on, len(charges)))
        drugs = sum(c.amount for c in charges if c.category == "drug")
        return {"payer": "Ping An Health", "amount": drugs * Decimal("0.7")} if drugs else None

    trellis_register_plugin(plugin_module("insurer", trellis_his_coverage=coverage))
    wang = counter.patient("Wang")
    drugs = counter.owe(wang, "100.00", category="drug")
    labs = counter.owe(wang, "20.00")
    payment = pay(
        counter, wang, drugs + labs, {"method": "insurance", "amount": None}, cash("50.00")
    )
    assert asked and asked[0][0] == wang.id and asked[0][2] == 2
    tenders = {t.method: t for t in payment.tenders}
    assert (tenders["insurance"].amount, tenders["insurance"].payer) == (
        Decimal("70.00"),
        "Ping An Health",
    )
    assert (payment.covered, tenders["cash"].amount, payment.change) == (
        Decimal("70.00"),
        Decimal("50.00"),
        Decimal("0.00"),
    )
    more = counter.owe(wang, "10.00", category="drug")
    _refused(
        lambda: pay(counter, wang, more, {"method": "insurance", "amount": "8.00"}, cash("2.00")),
        "tenders",
    )
    labs_only = counter.owe(wang, "9.00")
    _refused(
        lambda: pay(counter, wang, labs_only, {"method": "insurance", "amount": None}), "tenders"
    )


def test_a_payment_out_of_scope_is_not_found(counter):
    """The desk (scope all) sees every patient's; others only their scope's."""
    wang = counter.patient("Wang")
    payment = pay(counter, wang, counter.owe(wang, "5.00"), cash("5.00"))
    assert billing.visible_one(PatientPayment, payment.id, counter.clerk, "payment") == payment
    with pytest.raises(NotFoundError):
        billing.visible_one(PatientPayment, payment.id, counter.sales, "payment")
    with pytest.raises(NotFoundError):
        billing.visible_one(PatientPayment, payment.id, counter.li, "payment")
