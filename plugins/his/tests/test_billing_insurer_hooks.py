"""The hooks an insurer answers besides ``trellis_his_coverage``:
``trellis_his_payment_taken`` inside the payment's transaction (a failure
refuses the payment, nothing written) and the ``his_refund_paid`` event
after a refund is paid out, with the charges it gave back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import db
from core.testing import plugin_module
from plugins.his.models import Charge, PatientPayment
from plugins.his.services import billing

from .billing_fixtures import cash, clinic, counter, pay  # noqa: F401


def test_hook_his_payment_taken_is_called_inside_the_payments_transaction(
    counter, trellis_register_plugin
):
    seen: list[tuple] = []

    def taken(payment):
        with db.engine.connect() as elsewhere:  # not committed yet: another connection sees none
            committed = elsewhere.scalar(
                select(PatientPayment.id).where(PatientPayment.id == payment.id)
            )
        charges = sorted(str(c.amount) for c in payment.charges)
        seen.append((payment.number, payment.id is not None, committed, charges))
        if payment.total == Decimal("9.00"):
            raise RuntimeError("the insurer could not record its share")

    trellis_register_plugin(plugin_module("insurer", trellis_his_payment_taken=taken))
    wang = counter.patient("Wang")
    payment = pay(counter, wang, counter.owe(wang, "3.00", "5.00"), cash("8.00"))
    assert seen == [(payment.number, True, None, ["3.00", "5.00"])]
    refused = counter.owe(wang, "9.00")
    with pytest.raises(RuntimeError):
        pay(counter, wang, refused, cash("9.00"))
    db.session.rollback()
    assert db.session.scalars(select(PatientPayment.id)).all() == [payment.id]
    assert db.session.scalar(select(Charge.status).where(Charge.id == refused[0].id)) == "unpaid"


def test_hook_his_refund_paid_fires_after_the_commit_with_the_charges(
    counter, trellis_register_plugin
):
    heard: list[tuple] = []

    def refund_paid(refund, charges):
        heard.append((refund.status, str(refund.amount), sorted(str(c.amount) for c in charges)))

    trellis_register_plugin(plugin_module("insurer", trellis_his_refund_paid=refund_paid))
    wang = counter.patient("Wang")
    charges = counter.owe(wang, "30.00", "20.00")
    payment = pay(counter, wang, charges, cash("50.00"))
    by_charge = billing.request_refund(
        {"payment_id": payment.id, "reason": "not done", "charge_ids": [charges[0].id]},
        counter.cashier,
    )
    by_amount = billing.request_refund(
        {"payment_id": payment.id, "reason": "overcharged", "amount": "5.00"}, counter.cashier
    )
    assert heard == []  # approved is not paid out
    billing.pay_refund(by_charge, counter.cashier)
    billing.pay_refund(by_amount, counter.cashier)
    assert heard == [("refunded", "30.00", ["30.00"]), ("refunded", "5.00", [])]
