"""Billing in the audit log and on the patient's timeline: a charge written
or voided is audited under who did it; a payment received and a refund
paid out are timeline entries on the patient that lead to the receipt (for
who may read billing; the entries stay without a link for the others)."""

from __future__ import annotations

from sqlalchemy import select

from core.api import AuditEntry, db
from plugins.his.models import Charge
from plugins.his.services import billing, bookings

from .billing_fixtures import cash, clinic, counter, pay  # noqa: F401


def _audits(charge: Charge) -> list[tuple[str, int | None, str | None]]:
    return [
        (a.action, a.user_id, (a.after or {}).get("status"))
        for a in db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "his_charge", AuditEntry.entity_id == charge.id)
            .order_by(AuditEntry.id)
        )
    ]


def test_a_registration_fee_charged_and_voided_is_audited_under_the_clerk(counter):
    session = counter.session()
    wang = counter.patient("Wang")
    booking = bookings.book({"session_id": session.id, "customer_id": wang.id}, counter.clerk)
    (fee,) = billing.charges_of("booking", booking.id)
    assert _audits(fee) == [("create", counter.clerk.id, "unpaid")]
    bookings.cancel(booking, {"reason": "cannot come"}, counter.clerk)
    db.session.expire_all()
    assert fee.status == "void"
    assert _audits(fee) == [
        ("create", counter.clerk.id, "unpaid"),
        ("void", counter.clerk.id, "void"),
    ]


def test_charges_of_a_record_voided_together_are_each_audited(counter):
    wang = counter.patient("Wang")
    charges = counter.owe(wang, "10.00", "5.00")
    assert [_audits(c)[0][:1] for c in charges] == [("create",), ("create",)]
    source_id = charges[0].source_id
    assert billing.void_charges("order", source_id, counter.li) == 2
    db.session.commit()
    assert [_audits(c)[-1] for c in charges] == [("void", counter.li.id, "void")] * 2


def _timeline(client, customer_id: int) -> list[dict]:
    answer = client.get(f"/api/v1/customers/{customer_id}/activities")
    assert answer.status_code == 200, answer.json
    return answer.json["items"]


def test_payment_and_refund_are_on_the_timeline_with_a_link_to_the_receipt(counter, as_user):
    wang = counter.patient("Wang")
    payment = pay(counter, wang, counter.owe(wang, "30.00", "20.00"), cash("50.00"))
    refund = billing.request_refund(
        {"payment_id": payment.id, "amount": "12.00", "reason": "test not done"}, counter.cashier
    )
    assert refund.status == "approved"  # no flow: at once
    asked = _timeline(as_user(counter.cashier), wang.id)
    assert not any("Refund on receipt" in e["subject"] for e in asked)  # not given back yet
    billing.pay_refund(refund, counter.other_cashier)
    receipt = f"/his/receipts/{payment.id}"
    entries = _timeline(as_user(counter.cashier), wang.id)
    (paid,) = [e for e in entries if e["link_type"] == "his_payment"]
    assert payment.number in paid["subject"] and paid["link_url"].endswith(receipt)
    (given,) = [e for e in entries if "Refund on receipt" in e["subject"]]
    assert (given["link_type"], given["link_id"]) == ("his_refund", refund.id)
    assert payment.number in given["subject"] and "12.00" in given["subject"]
    assert "test not done" in given["body"] and given["link_url"].endswith(receipt)
    # a doctor of the patient's team, who may not read billing: the entries
    # stay, without a link
    wang.team_id = counter.cardiology.team_id
    db.session.commit()
    seen = _timeline(as_user(counter.li), wang.id)
    assert sum(e["link_type"] in ("his_payment", "his_refund") for e in seen) == 3
    assert all(e["link_url"] is None for e in seen if e["link_type"] == "his_refund")
