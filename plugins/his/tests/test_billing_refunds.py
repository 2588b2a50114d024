"""Refunds (退费): never more than what the patient paid (named
``amount``), through core's approval engine — approved at once without a
flow, else by the flow's approver; rejected frees the charges; an approved
refund is paid out by a cashier."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import (
    ApprovalRequest,
    ValidationError,
    approve_request,
    db,
    reject_request,
    save_approval_flow,
)
from plugins.his.models import Refund
from plugins.his.services import billing

from .billing_fixtures import cash, clinic, counter, pay  # noqa: F401


@pytest.fixture
def paid(counter):
    wang = counter.patient("Wang")
    charges = counter.owe(wang, "30.00", "20.00")
    return pay(counter, wang, charges, cash("50.00"))


def _ask(counter, payment, **fields) -> Refund:
    return billing.request_refund(
        {"payment_id": payment.id, "reason": "not done", **fields}, counter.cashier
    )


def _refused(call, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.errors
    db.session.rollback()


def test_a_refund_larger_than_what_was_paid_is_refused_on_amount(counter, paid):
    _refused(lambda: _ask(counter, paid, amount="50.01"), "amount")
    first = _ask(counter, paid, amount="45.00")
    assert first.status == "approved"  # no flow: approved at once
    _refused(lambda: _ask(counter, paid, amount="5.01"), "amount")  # 5.00 left
    assert db.session.scalars(select(Refund.amount)).all() == [Decimal("45.00")]


def test_a_refund_of_charges_asks_their_sum_and_holds_them(counter, paid):
    charge = paid.charges[0]
    refund = _ask(counter, paid, charge_ids=[charge.id])
    assert (refund.amount, charge.refund_id) == (Decimal("30.00"), refund.id)
    _refused(lambda: _ask(counter, paid, charge_ids=[charge.id]), "charge_ids")  # asked already
    _refused(lambda: _ask(counter, paid, charge_ids=[paid.charges[1].id], amount="1.00"), "amount")
    billing.pay_refund(refund, counter.cashier)
    db.session.refresh(charge)
    assert (refund.status, charge.status, paid.refunded) == (
        "refunded",
        "refunded",
        Decimal("30.00"),
    )
    assert billing.refundable(paid) == Decimal("20.00")
    _refused(lambda: billing.pay_refund(refund, counter.cashier), "status")  # paid out once


def test_with_a_flow_the_manager_approves_before_the_cashier_pays_out(counter, paid):
    save_approval_flow(
        {
            "record_type": "his.refund",
            "name": "Every refund",
            "steps": [{"approver_kind": "role", "role": "manager"}],
        },
        None,
        counter.manager,
    )
    refund = _ask(counter, paid, amount="10.00")
    assert refund.status == "requested"
    _refused(lambda: billing.pay_refund(refund, counter.cashier), "status")
    request = db.session.scalar(
        select(ApprovalRequest).where(ApprovalRequest.record_id == refund.id)
    )
    approve_request(request, counter.manager)
    assert refund.status == "approved"
    billing.pay_refund(refund, counter.other_cashier)
    assert (refund.status, refund.refunded_by_id) == ("refunded", counter.other_cashier.id)


def test_a_rejected_refund_frees_its_charges(counter, paid):
    save_approval_flow(
        {
            "record_type": "his.refund",
            "name": "Every refund",
            "steps": [{"approver_kind": "role", "role": "manager"}],
        },
        None,
        counter.manager,
    )
    charge = paid.charges[1]
    refund = _ask(counter, paid, charge_ids=[charge.id])
    request = db.session.scalar(
        select(ApprovalRequest).where(ApprovalRequest.record_id == refund.id)
    )
    reject_request(request, counter.manager, "the test was done")
    db.session.refresh(charge)
    assert (refund.status, charge.refund_id, charge.status) == ("rejected", None, "paid")
    assert billing.refundable(paid) == Decimal("50.00")
    assert _ask(counter, paid, charge_ids=[charge.id]).status == "requested"  # asked again


def test_a_refund_of_a_payment_out_of_scope_is_not_found(counter, paid):
    from core.api import NotFoundError

    with pytest.raises(NotFoundError):
        billing.request_refund(
            {"payment_id": paid.id, "reason": "x", "amount": "1.00"}, counter.sales
        )
