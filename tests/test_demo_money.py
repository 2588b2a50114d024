"""The demo, in both languages, shows the way from a won deal to money: a
quote whose discount the manager approved, a contract approved, signed and
in progress with its three instalments — the first paid, the second
part-paid and overdue on its owner's collection list — an invoice issued for
the first payment, commission on the collected money, and another rep's
contract waiting in the manager's approval inbox."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import ApprovalRequest, User, db
from plugins.sales.models import Contract, Instalment, Invoice, Payment, Quote
from plugins.sales.services.commission import statement
from plugins.sales.services.receivables.collections import collection_query


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_demo_takes_a_deal_to_money_and_leaves_a_contract_waiting(
    locale, load_demo_as_admin, as_user
):
    admin = load_demo_as_admin(locale)
    contracts = db.session.scalars(select(Contract).order_by(Contract.id)).all()
    done = next(c for c in contracts if c.status == "active")
    waiting = next(c for c in contracts if c.status == "pending")
    assert done.owner_id != waiting.owner_id

    quote = db.session.get(Quote, done.quote_id)
    assert quote.status == "accepted" and quote.effective_discount_percent == Decimal("20.00")
    decided = {
        (r.record_type, r.record_id): r.status for r in db.session.scalars(select(ApprovalRequest))
    }
    assert decided[("sales.quote", quote.id)] == "approved"
    assert decided[("sales.contract", done.id)] == "approved"
    assert decided[("sales.contract", waiting.id)] == "pending"

    first, second, third = db.session.scalars(
        select(Instalment).where(Instalment.contract_id == done.id).order_by(Instalment.number)
    ).all()
    assert first.amount + second.amount + third.amount == done.amount
    assert first.collected == first.amount and first.settled_on is not None
    assert Decimal(0) < second.collected < second.amount and second.settled_on is None
    assert third.collected == 0
    assert done.collected == first.collected + second.collected

    owner = db.session.get(User, done.owner_id)
    overdue = db.session.scalars(collection_query(owner)).all()
    assert [i.id for i in overdue] == [second.id]  # the third is not due yet

    invoice = db.session.scalar(select(Invoice).where(Invoice.contract_id == done.id))
    assert invoice.status == "issued" and invoice.amount == first.amount
    assert done.invoiced == first.amount and invoice.title

    latest = db.session.scalar(
        select(Payment).where(Payment.contract_id == done.id).order_by(Payment.paid_on.desc())
    )
    month = f"{latest.paid_on:%Y-%m}"
    paid_in_month = sum(
        db.session.scalars(
            select(Payment.amount).where(
                Payment.owner_id == owner.id,
                Payment.status == "confirmed",
                Payment.paid_on >= latest.paid_on.replace(day=1),
            )
        ),
        Decimal(0),
    )
    rows = statement(admin, owner, month)["rules"]
    collected_rule = next(r for r in rows if r["basis"] == "collected")
    assert collected_rule["base"] == paid_in_month
    assert collected_rule["commission"] == (paid_in_month * 2 / 100).quantize(Decimal("0.01"))

    manager = db.session.scalar(
        select(User).where(User.id.in_([t.approver_id for t in waiting_tasks(waiting.id)]))
    )
    inbox = as_user(manager).get("/api/v1/approvals/inbox")
    assert any(
        t["record_type"] == "sales.contract" and t["record_id"] == waiting.id
        for t in inbox.json["items"]
    ), inbox.json


def waiting_tasks(contract_id: int):
    request = db.session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.record_type == "sales.contract",
            ApprovalRequest.record_id == contract_id,
        )
    )
    return [t for t in request.tasks if t.status == "waiting"]
