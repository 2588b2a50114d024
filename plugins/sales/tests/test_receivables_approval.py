"""Payments that require approval: a flow on the amount keeps a large
payment waiting (it counts nothing) until a manager approves it (it counts)
or rejects it (it never counts); of two confirmations racing for the same
open money one wins; ``trellis_sales_payment_received`` fires after the commit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import ConflictError, StateError, db, is_locked, save_approval_flow, transaction
from core.testing import plugin_module
from plugins.sales.models import Contract, Instalment, Payment
from plugins.sales.services.receivables import payments as payment_service
from plugins.sales.services.receivables.approval import RECORD, latest_request
from plugins.sales.services.receivables.plans import plan_of

from .test_receivables import make_contract, pay, people, planned  # noqa: F401  (fixtures)


@pytest.fixture
def large_payments(people):  # noqa: F811
    """The flow: a manager confirms every payment above 10,000."""
    return save_approval_flow(
        {
            "record_type": RECORD,
            "name": "Large payments",
            "condition": {"field": "amount", "op": "gt", "value": "10000"},
            "steps": [{"approver_kind": "role", "role": "manager"}],
        },
        None,
        people["admin"],
    )


def sums(contract: Contract, instalment: Instalment) -> tuple[Decimal, Decimal]:
    db.session.expire_all()
    return (
        db.session.get(Instalment, instalment.id).collected,
        db.session.get(Contract, contract.id).collected,
    )


def test_a_payment_under_the_flow_is_confirmed_at_once(people, planned, large_payments):  # noqa: F811
    first = plan_of(planned)[0]
    small = pay(planned, first, "9000.00", people["rep"])
    assert small.status == "confirmed" and latest_request(small).flow_id is None
    assert sums(planned, first) == (Decimal("9000.00"), Decimal("9000.00"))


def test_a_waiting_payment_counts_nothing_until_approved(
    people,
    planned,
    large_payments,
    as_user,  # noqa: F811
):
    first = plan_of(planned)[0]
    waiting = pay(planned, first, "20000.00", people["rep"])
    assert waiting.status == "pending" and waiting.confirmed_at is None
    assert is_locked(RECORD, waiting.id)
    assert sums(planned, first) == (Decimal("0.00"), Decimal("0.00"))
    with pytest.raises(StateError):  # not confirmed: nothing to reverse
        payment_service.reverse_payment(waiting, "Mistake", people["rep"])
    request = latest_request(waiting)
    answer = as_user(people["manager"]).post(
        f"/api/v1/approvals/requests/{request.id}/approve", json={"comment": "Seen on the bank"}
    )
    assert answer.status_code == 200 and answer.json["status"] == "approved"
    db.session.expire_all()
    confirmed = db.session.get(Payment, waiting.id)
    assert confirmed.status == "confirmed" and confirmed.confirmed_at is not None
    assert sums(planned, first) == (Decimal("20000.00"), Decimal("20000.00"))


def test_a_rejected_payment_never_counts(people, planned, large_payments, as_user):  # noqa: F811
    first = plan_of(planned)[0]
    waiting = pay(planned, first, "20000.00", people["rep"])
    request = latest_request(waiting)
    answer = as_user(people["manager"]).post(
        f"/api/v1/approvals/requests/{request.id}/reject", json={"comment": "Not on the bank"}
    )
    assert answer.status_code == 200 and answer.json["status"] == "rejected"
    db.session.expire_all()
    assert db.session.get(Payment, waiting.id).status == "rejected"
    assert sums(planned, first) == (Decimal("0.00"), Decimal("0.00"))
    assert not is_locked(RECORD, waiting.id)


def test_two_waiting_payments_for_the_same_open_money_only_one_is_confirmed(
    people,
    planned,
    large_payments,
    as_user,  # noqa: F811
):
    first = plan_of(planned)[0]  # 30,000
    one = pay(planned, first, "20000.00", people["rep"])
    two = pay(planned, first, "15000.00", people["rep"])  # each fits, together they do not
    manager = as_user(people["manager"])
    ok = manager.post(f"/api/v1/approvals/requests/{latest_request(one).id}/approve", json={})
    assert ok.status_code == 200
    late = manager.post(f"/api/v1/approvals/requests/{latest_request(two).id}/approve", json={})
    assert late.status_code == 409, late.json
    assert "only 10000.00 is open" in late.json["errors"]["amount"][0]
    db.session.expire_all()
    assert db.session.get(Payment, two.id).status == "pending"  # the decision was undone
    assert latest_request(two).status == "pending"
    assert sums(planned, first) == (Decimal("20000.00"), Decimal("20000.00"))


def test_two_approvers_deciding_at_once_count_the_payment_once(
    people,
    planned,
    make_user,
    as_user,  # noqa: F811
):
    second = make_user(role="manager", team=people["manager"].team, name="Mia Manager")
    save_approval_flow(
        {
            "record_type": RECORD,
            "name": "Either manager",
            "steps": [
                {
                    "approver_kind": "users",
                    "user_ids": [people["manager"].id, second.id],
                    "mode": "any",
                }
            ],
        },
        None,
        people["admin"],
    )
    first = plan_of(planned)[0]
    waiting = pay(planned, first, "5000.00", people["rep"])
    request = latest_request(waiting)
    answers = [
        as_user(who).post(f"/api/v1/approvals/requests/{request.id}/approve", json={})
        for who in (people["manager"], second)
    ]
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert sums(planned, first) == (Decimal("5000.00"), Decimal("5000.00"))


def test_a_second_confirmation_of_the_same_payment_is_refused_and_changes_nothing(
    people,
    planned,  # noqa: F811
):
    first = plan_of(planned)[0]
    payment = pay(planned, first, "5000.00", people["rep"])
    # a second worker confirming it too (it read the payment while it was pending)
    with pytest.raises(ConflictError), transaction():
        payment_service.confirm(payment, people["rep"])
    assert sums(planned, first) == (Decimal("5000.00"), Decimal("5000.00"))
    assert db.session.get(Payment, payment.id).status == "confirmed"


def test_hook_trellis_sales_payment_received(
    register_plugin,
    people,
    planned,
    large_payments,
    as_user,  # noqa: F811
):
    heard: list[tuple[int, str | None, Decimal | None]] = []

    def listener(payment):
        with db.engine.connect() as other:  # another connection sees only what is committed
            status = other.scalar(select(Payment.status).where(Payment.id == payment.id))
            collected = other.scalar(
                select(Contract.collected).where(Contract.id == payment.contract_id)
            )
        heard.append((payment.id, status, collected))

    register_plugin(plugin_module("listener", trellis_sales_payment_received=listener))
    first = plan_of(planned)[0]
    small = pay(planned, first, "1000.00", people["rep"])
    assert heard == [(small.id, "confirmed", Decimal("1000.00"))]
    large = pay(planned, first, "20000.00", people["rep"])
    assert len(heard) == 1  # waiting: not received yet
    as_user(people["manager"]).post(
        f"/api/v1/approvals/requests/{latest_request(large).id}/approve", json={}
    )
    assert heard[-1] == (large.id, "confirmed", Decimal("21000.00"))


def test_a_withdrawn_payment_never_counts_and_says_withdrawn_not_rejected(
    people,
    planned,
    large_payments,
    as_user,  # noqa: F811
):
    first = plan_of(planned)[0]
    waiting = pay(planned, first, "20000.00", people["rep"])
    request = latest_request(waiting)
    answer = as_user(people["rep"]).post(f"/api/v1/approvals/requests/{request.id}/withdraw")
    assert answer.status_code == 200 and answer.json["status"] == "withdrawn"
    db.session.expire_all()
    assert db.session.get(Payment, waiting.id).status == "withdrawn"
    assert sums(planned, first) == (Decimal("0.00"), Decimal("0.00"))
    assert not is_locked(RECORD, waiting.id)
    shown = as_user(people["rep"]).get(f"/api/v1/sales/payments/{waiting.id}")
    assert shown.status_code == 200 and shown.json["status"] == "withdrawn"
