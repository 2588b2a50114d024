"""Invoices (发票): a rep requests one against a signed contract (and,
optionally, a confirmed payment it covers); finance issues it with the
number the tax system gave, or it is cancelled.

The rules, each refusal naming its field:

- the kind decides which billing details must be on the customer:
  ``vat_special`` (增值税专用发票) all six, ``vat_normal`` (增值税普通发票)
  title and taxpayer number, ``receipt`` the title; they are copied onto
  the invoice, so a later change of the customer's details leaves it as it was;
- the amount is above 0 and at most what is left to invoice: the
  contract's amount less the invoices requested or issued on it (not the
  cancelled ones); the currency is the contract's;
- issuing needs ``sales.invoice.issue``, the tax system's number (unique
  among the issued invoices) and a day not in the future; it adds the
  amount to ``Contract.invoiced`` in the same transaction, and cancelling an
  issued invoice takes it off again.

Every change is audited and noted on the customer's timeline. Recording
only: no e-invoicing gateway.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from core.api import (
    ForbiddenError,
    User,
    audit,
    check_version,
    db,
    instance_timezone,
    load,
    log_activity,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import INVOICE_KINDS, BillingProfile, Contract, Invoice, Payment
from ..access import visible_records
from ..validation import Currency, Id, Money, Percent

_, _l = translator("sales")

ISSUE = "sales.invoice.issue"
#: a contract is invoiced once it is signed (and while it runs, or after)
INVOICEABLE = ("signed", "active", "completed")
#: the billing details each kind of invoice prints, so must have
NEEDED = {
    "vat_special": ("title", "tax_number", "address", "phone", "bank_name", "bank_account"),
    "vat_normal": ("title", "tax_number"),
    "receipt": ("title",),
}
KIND_LABELS = {
    "vat_special": _l("VAT special invoice"),
    "vat_normal": _l("VAT normal invoice"),
    "receipt": _l("Receipt"),
}
STATUS_LABELS = {"requested": _l("Requested"), "issued": _l("Issued"), "cancelled": _l("Cancelled")}
FIELD_LABELS = {
    "title": _l("Invoice title"),
    "tax_number": _l("Taxpayer number"),
    "address": _l("Registered address"),
    "phone": _l("Registered phone"),
    "bank_name": _l("Bank"),
    "bank_account": _l("Bank account"),
}


class InvoiceInput(Schema):
    contract_id = Id(required=True)
    payment_id = Id(allow_none=True, metadata={"description": "a confirmed payment it covers"})
    kind = fields.String(load_default="vat_normal", validate=validate.OneOf(INVOICE_KINDS))
    amount = Money(required=True, metadata={"description": "above 0, at most what is left"})
    currency = Currency(metadata={"description": "the contract's; left out: the contract's"})
    tax_percent = Percent(load_default=Decimal("0"))


class IssueInput(Schema):
    number = fields.String(
        required=True, validate=validate.Length(min=1, max=40), metadata={"pattern": r"\S"}
    )
    issued_on = fields.Date(load_default=None, metadata={"description": "left out: today"})


class CancelInput(Schema):
    reason = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"pattern": r"\S"}
    )


def today() -> date:
    """Today on the instance's clock (an invoice's day is the office's)."""
    return datetime.now(ZoneInfo(instance_timezone())).date()


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def still_to_invoice(contract: Contract) -> Decimal:
    """The contract's amount less its invoices requested or issued."""
    taken = db.session.scalar(
        select(func.coalesce(func.sum(Invoice.amount), 0)).where(
            Invoice.contract_id == contract.id,
            Invoice.status != "cancelled",
            Invoice.deleted_at.is_(None),
        )
    )
    return contract.amount - Decimal(taken or 0)


def request_invoice(payload: dict, actor: User | None) -> Invoice:
    """Request an invoice (status ``requested``); see the module for the rules."""
    data = load(InvoiceInput(), payload)
    contract = db.session.scalar(
        visible_records(Contract, actor).where(Contract.id == data["contract_id"])
    )
    if contract is None:
        refuse(missing={"contract_id": [_("no contract with this id")]})
    invalid: dict[str, list[str]] = {}
    state: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    if data["amount"] <= 0:
        invalid["amount"] = [_("an invoice is for more than 0")]
    if data.get("currency") not in (None, contract.currency):
        invalid["currency"] = [
            _("an invoice is in the contract's currency, %(currency)s", currency=contract.currency)
        ]
    refuse(invalid)  # a value wrong in itself first, alone: what the document's rules name
    if contract.status not in INVOICEABLE:
        state["contract_id"] = [_("only a signed contract is invoiced")]
    if data.get("payment_id") is not None:
        payment = db.session.get(Payment, data["payment_id"])
        if payment is None or payment.contract_id != contract.id or payment.deleted_at:
            missing["payment_id"] = [_("no payment with this id on this contract")]
        elif payment.status != "confirmed":
            state["payment_id"] = [_("only a confirmed payment is invoiced")]
    billing = db.session.scalar(
        select(BillingProfile).where(BillingProfile.customer_id == contract.customer_id)
    )
    for key in NEEDED[data["kind"]]:
        if billing is None or not getattr(billing, key):
            state[key] = [
                _(
                    "the customer's billing details have no %(field)s; a %(kind)s needs it",
                    field=str(FIELD_LABELS[key]).lower(),
                    kind=kind_label(data["kind"]),
                )
            ]
    refuse(missing=missing, state=state)
    with transaction():
        _lock(contract)
        left = still_to_invoice(contract)
        if data["amount"] > left:
            refuse(
                state={
                    "amount": [
                        _(
                            "only %(left)s %(currency)s of this contract is left to invoice",
                            left=left,
                            currency=contract.currency,
                        )
                    ]
                }
            )
        invoice = Invoice(
            contract_id=contract.id,
            payment_id=data.get("payment_id"),
            customer_id=contract.customer_id,
            owner_id=contract.owner_id,
            team_id=contract.team_id,
            kind=data["kind"],
            status="requested",
            amount=data["amount"],
            currency=contract.currency,
            tax_percent=data["tax_percent"],
            requested_by_id=actor.id if actor else None,
            **{key: getattr(billing, key) if billing else None for key in NEEDED["vat_special"]},
        )
        db.session.add(invoice)
        db.session.flush()
        audit(actor, invoice, "create", None, snapshot(invoice))
        _timeline(
            invoice,
            actor,
            _(
                "Invoice requested: %(kind)s, %(amount)s %(currency)s (contract %(number)s)",
                kind=kind_label(invoice.kind),
                amount=invoice.amount,
                currency=invoice.currency,
                number=contract.number,
            ),
        )
    return invoice


def issue_invoice(
    invoice: Invoice, payload: dict, actor: User | None, expected_version: int | None = None
) -> Invoice:
    """Record that finance issued ``invoice`` (needs ``sales.invoice.issue``):
    the tax system's number and the day; adds it to ``Contract.invoiced``."""
    if actor is not None and not actor.can(ISSUE):
        raise ForbiddenError(_("issuing invoices needs the permission %(name)s", name=ISSUE))
    data = load(IssueInput(), payload)
    number = data["number"].strip()
    issued_on = data["issued_on"] or today()
    invalid: dict[str, list[str]] = {}
    if not number:
        invalid["number"] = [_("give the invoice number the tax system gave")]
    if issued_on > today():
        invalid["issued_on"] = [_("an invoice is not issued in the future")]
    refuse(invalid)
    if invoice.status != "requested":
        refuse(state={"status": [_("only a requested invoice is issued")]})
    check_version(invoice, expected_version)
    with transaction():
        # takes the contract's row lock first: two issues of one contract queue
        _add_invoiced(invoice, invoice.amount, actor)
        taken = db.session.scalar(
            select(func.count()).where(
                Invoice.status == "issued", Invoice.number == number, Invoice.id != invoice.id
            )
        )
        if taken:
            refuse(taken={"number": [_("another issued invoice has the number %(n)s", n=number)]})
        before = snapshot(invoice)
        invoice.status = "issued"
        invoice.number = number
        invoice.issued_on = issued_on
        invoice.issued_by_id = actor.id if actor else None
        try:  # the unique index has the last word when two clerks type one number at once
            db.session.flush()
        except IntegrityError:
            refuse(taken={"number": [_("another issued invoice has the number %(n)s", n=number)]})
        audit(actor, invoice, "issue", before, snapshot(invoice))
        _timeline(
            invoice,
            actor,
            _(
                "Invoice %(number)s issued: %(amount)s %(currency)s",
                number=number,
                amount=invoice.amount,
                currency=invoice.currency,
            ),
        )
    return invoice


def cancel_invoice(
    invoice: Invoice, payload: dict, actor: User | None, expected_version: int | None = None
) -> Invoice:
    """Cancel a requested or issued invoice, with a reason. An issued one
    comes off ``Contract.invoiced`` again and needs ``sales.invoice.issue``.

    This records the cancellation only: a real red-letter reversal (红字发票)
    with the tax system is outside Trellis's scope, done there by finance."""
    data = load(CancelInput(), payload)
    reason = data["reason"].strip()
    if not reason:
        refuse({"reason": [_("say why the invoice is cancelled")]})
    if invoice.status == "cancelled":
        refuse(state={"status": [_("this invoice is already cancelled")]})
    issued = invoice.status == "issued"
    if issued and actor is not None and not actor.can(ISSUE):
        raise ForbiddenError(
            _("cancelling an issued invoice needs the permission %(name)s", name=ISSUE)
        )
    check_version(invoice, expected_version)
    with transaction():
        if issued:
            _add_invoiced(invoice, -invoice.amount, actor)
        before = snapshot(invoice)
        invoice.status = "cancelled"
        invoice.cancelled_at = utcnow()
        invoice.cancel_reason = reason
        audit(actor, invoice, "cancel", before, snapshot(invoice))
        _timeline(
            invoice,
            actor,
            _(
                "Invoice cancelled: %(amount)s %(currency)s",
                amount=invoice.amount,
                currency=invoice.currency,
            ),
            body=reason,
        )
    return invoice


def _lock(contract: Contract) -> None:
    """Hold the contract's row until the transaction ends (PostgreSQL; SQLite
    has one writer at a time), so two requests cannot both take what is left."""
    db.session.execute(
        select(Contract.id).where(Contract.id == contract.id).with_for_update()
    ).all()


def _add_invoiced(invoice: Invoice, amount: Decimal, actor: User | None) -> None:
    """Add ``amount`` to the contract's ``invoiced`` in one UPDATE (no lost
    update between two finance clerks), audited on the contract. The
    contract's ``version`` is left alone: a sum kept for it is no edit a
    rep's open form should be refused for."""
    contract = invoice.contract
    db.session.execute(
        update(Contract)
        .where(Contract.id == contract.id)
        .values(invoiced=Contract.invoiced + amount)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(contract, ["invoiced"])
    before = contract.invoiced - amount
    audit(
        actor, contract, "invoiced", {"invoiced": str(before)}, {"invoiced": str(contract.invoiced)}
    )


def _timeline(invoice: Invoice, actor: User | None, subject: str, body: str | None = None):
    log_activity(
        {
            "kind": "note",
            "subject": subject[:200],
            "body": body,
            "customer_id": invoice.customer_id,
            "link_type": "sales_invoice",
            "link_id": invoice.id,
        },
        actor,
    )
