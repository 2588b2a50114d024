"""The demo's way from a won deal to money, in English or Chinese: approval
flows for discounted quotes and for contracts, and one deal of a rep taken
all the way — a quote with a discount the manager approved, accepted, a
contract approved and signed ten weeks ago, its receivable plan of three
instalments with the first paid, the second part-paid and overdue, an
invoice issued for what came in, the signed scan attached — while another
rep's contract waits for the manager's approval. The billing details, a
commission rule on collected money and this month's collection targets go
with it, so the quote, contract, collection, invoice, commission and
money-report pages all show something."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select

from core.api import (
    ApprovalRequest,
    Contact,
    approve_request,
    db,
    instance_region,
    instance_timezone,
    save_approval_flow,
    utcnow,
)

from ..models import Contract, Deal, Stage
from ..services.commission import create_rule
from ..services.contracts import update_contract
from ..services.contracts.approvals import submit_contract
from ..services.contracts.lifecycle import activate, sign
from ..services.invoices.billing import save_billing_profile
from ..services.invoices.invoices import issue_invoice, request_invoice
from ..services.quotes.approval import submit_quote
from ..services.quotes.editing import create_quote
from ..services.quotes.lifecycle import accept_quote, send_quote
from ..services.receivables.payments import record_payment
from ..services.receivables.plans import set_plan
from ..services.targets import set_target
from .scan import attach_signed_scan

TEXT = {
    "en": {
        "quote_flow": "Quotes discounted over 15%",
        "contract_flow": "Every contract",
        "rule": "Commission on collected money",
        "terms": "Payment in three instalments by bank transfer. Delivery within 30 days.",
        "bank": "Bank of the West, Market St branch",
        "address": "100 Market St, San Francisco, CA",
        "reference": "WIRE-",
        "scan": "Signed contract.pdf",
    },
    "zh_CN": {
        "quote_flow": "折扣超过 15% 的报价",
        "contract_flow": "所有合同",
        "rule": "回款提成方案",
        "terms": "分三期银行转账付款，30 天内交货。",
        "bank": "招商银行上海分行营业部",
        "address": "上海市浦东新区世纪大道 100 号",
        "reference": "转账-",
        "scan": "合同签字扫描件.pdf",
    },
}


def load_demo(locale: str, users: list, currency: str) -> None:
    text = TEXT.get(locale, TEXT["en"])
    managers = [u for u in users if u.is_active and u.role and u.role.name == "manager"]
    reps = [u for u in users if u.is_active and u.role and u.role.name == "sales"]
    if not managers or not reps:
        return  # a demo without a manager (a plugin's own small one): nobody could approve
    manager = managers[0]
    for record_type, name, condition in (
        (
            "sales.quote",
            text["quote_flow"],
            {"field": "effective_discount_percent", "op": "gt", "value": "15"},
        ),
        ("sales.contract", text["contract_flow"], None),
    ):
        save_approval_flow(
            {
                "record_type": record_type,
                "name": name,
                "condition": condition,
                "steps": [{"approver_kind": "role", "role": "manager"}],
            },
            None,
            None,
        )
    create_rule(
        {
            "name": text["rule"],
            "currency": currency,
            "basis": "collected",
            "tiers": [{"from_amount": "0", "rate_percent": "2"}],
        },
        None,
    )
    month = f"{utcnow():%Y-%m}"
    for i, rep in enumerate(reps):
        amount = Decimal(30000 + 10000 * i).quantize(Decimal("0.01"))
        set_target(
            {
                "month": month,
                "measure": "collected",
                "user_id": rep.id,
                "amount": str(amount),
                "currency": currency,
            },
            None,
        )
    today = datetime.now(ZoneInfo(instance_timezone())).date()
    deals = _won_deals(reps, currency)
    if deals:
        _all_the_way(deals[0], text, manager, today)
    waiting = next((d for d in deals[1:] if d.owner_id != deals[0].owner_id), None)
    if waiting is not None:
        _waiting_contract(waiting, text, today)


def _won_deals(reps: list, currency: str) -> list[Deal]:
    """The reps' won deals in the demo's currency whose customer has a
    contact (who signs), the largest first."""
    return list(
        db.session.scalars(
            select(Deal)
            .join(Stage, Stage.id == Deal.stage_id)
            .where(
                Stage.outcome == "won",
                Deal.currency == currency,
                Deal.owner_id.in_([r.id for r in reps]),
                Deal.deleted_at.is_(None),
                # someone to sign the contract for the customer
                exists().where(
                    Contact.customer_id == Deal.customer_id, Contact.deleted_at.is_(None)
                ),
            )
            .order_by(Deal.amount.desc(), Deal.id)
        )
    )


def _owner(deal: Deal):
    return deal.owner


def _contact(deal: Deal) -> Contact | None:
    return deal.contact or db.session.scalar(
        select(Contact)
        .where(Contact.customer_id == deal.customer_id, Contact.deleted_at.is_(None))
        .order_by(Contact.id)
        .limit(1)
    )


def _contract(deal: Deal, text: dict, today: date, discount: str):
    """A quote of ``deal`` with ``discount`` percent off, approved when a flow
    asks, sent and accepted: its draft contract, dated from ten weeks ago."""
    rep = _owner(deal)
    payload = {
        "deal_id": deal.id,
        "title": deal.title,
        "discount_percent": discount,
        "tax_percent": "13",
        "valid_until": (today + timedelta(days=30)).isoformat(),
        "terms": text["terms"],
    }
    if not deal.lines:  # else the quote takes the deal's lines
        line = {"description": deal.title[:200], "unit_price": str(deal.amount), "quantity": "1"}
        payload["lines"] = [line]
    quote = create_quote(payload, rep)
    request = submit_quote(quote, rep)
    if request.status == "pending":
        _approve(request)
    send_quote(quote, rep)
    _, contract = accept_quote(quote, rep)
    update_contract(
        contract,
        {
            "start_date": (today - timedelta(days=70)).isoformat(),
            "end_date": (today + timedelta(days=295)).isoformat(),
        },
        rep,
    )
    return contract


def _approve(request: ApprovalRequest) -> None:
    """The request's first waiting approver says yes (the demo's manager)."""
    task = next(t for t in request.tasks if t.status == "waiting")
    approve_request(request, task.approver, None)


def _all_the_way(deal: Deal, text: dict, manager, today: date) -> None:
    rep = _owner(deal)
    save_billing_profile(
        deal.customer_id,
        {
            "title": deal.customer.name,
            # a unified social credit code where the instance is in China, else free text
            "tax_number": "91350100M000100Y43" if instance_region() == "CN" else "94-1234567",
            "address": text["address"],
            "phone": deal.customer.phones[0] if deal.customer.phones else None,
            "bank_name": text["bank"],
            "bank_account": "6225 8801 2345 6789",
        },
        rep,
    )
    contract = _contract(deal, text, today, discount="20")
    request = submit_contract(contract, rep)
    if request.status == "pending":
        _approve(request)
    contact = _contact(deal)
    sign(
        contract,
        {
            "signed_date": (today - timedelta(days=70)).isoformat(),
            "contact_id": contact.id if contact else None,
        },
        rep,
    )
    activate(contract, rep)
    attach_signed_scan(contract, text["scan"], rep)
    thirds = _thirds(contract.amount)
    plan = set_plan(
        contract,
        [
            {"due_date": (today - timedelta(days=40)).isoformat(), "amount": str(thirds[0])},
            {"due_date": (today - timedelta(days=10)).isoformat(), "amount": str(thirds[1])},
            {"due_date": (today + timedelta(days=20)).isoformat(), "amount": str(thirds[2])},
        ],
        rep,
    )
    first = record_payment(
        contract,
        {
            "instalment_id": plan[0].id,
            "amount": str(thirds[0]),
            "paid_on": (today - timedelta(days=38)).isoformat(),
            "method": "bank_transfer",
            "reference": f"{text['reference']}{contract.number}-1",
        },
        rep,
    )
    record_payment(  # half of the second: the rest is overdue
        contract,
        {
            "instalment_id": plan[1].id,
            "amount": str((thirds[1] / 2).quantize(Decimal("0.01"))),
            "paid_on": (today - timedelta(days=3)).isoformat(),
            "method": "bank_transfer",
            "reference": f"{text['reference']}{contract.number}-2",
        },
        rep,
    )
    invoice = request_invoice(
        {
            "contract_id": contract.id,
            "payment_id": first.id,
            "kind": "vat_special",
            "amount": str(first.amount),
            "tax_percent": "13",
        },
        rep,
    )
    issue_invoice(
        invoice,
        {
            "number": f"{today:%y}{contract.id:06d}01",
            "issued_on": (today - timedelta(days=36)).isoformat(),
        },
        manager,
    )


def _waiting_contract(deal: Deal, text: dict, today: date) -> Contract:
    contract = _contract(deal, text, today, discount="5")
    submit_contract(contract, _owner(deal))  # the flow for every contract: it waits
    return contract


def _thirds(amount: Decimal) -> list[Decimal]:
    third = (amount / 3).quantize(Decimal("0.01"))
    return [third, third, amount - 2 * third]
