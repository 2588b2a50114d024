"""``/api/v1/sales/invoices``: invoices requested, issued and cancelled; a
customer's ``billing-profile``; a contract's ``invoice-summary``.

Access follows the scoped query helper (:mod:`..services.access`): a rep
sees the invoices of their own contracts, a manager their team's, finance
(scope all) every one; an invoice, contract or customer the caller may not
see is a 404. Issuing needs ``sales.invoice.issue``.
"""

from __future__ import annotations

from flask_login import current_user

from core.api import (
    NotFoundError,
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
    translator,
)

from ..models import Contract, Invoice
from ..schemas.invoices import (
    BillingBody,
    BillingOut,
    CancelBody,
    InvoiceArgs,
    InvoiceOut,
    InvoiceSummaryOut,
    IssueBody,
)
from ..services.access import visible_record
from ..services.invoices import billing, invoices
from ..services.invoices.listing import search_invoices
from ..services.invoices.summary import contract_summary
from .blueprint import bp

_, _l = translator("sales")

SORTABLE = {
    "updated_at": Invoice.updated_at,
    "created_at": Invoice.created_at,
    "issued_on": Invoice.issued_on,
    "amount": Invoice.amount,
}


def _body(schema) -> dict:
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


@bp.route("/invoices", methods=["GET"])
@bp.arguments(sorted_by(InvoiceArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(InvoiceOut, "InvoicePage"))
def list_invoices(args):
    """The invoices the caller may see, newest change first; ``status=requested``
    is finance's queue."""
    require("sales.invoice.read")
    return paginate(search_invoices(current_user, args), args, SORTABLE, "-updated_at")


#: what JSON Schema cannot say of a request: a positive amount, the contract's currency
REQUEST_RULES = field_rules(
    (("amount",), "above 0"), (("currency",), "the contract's currency (or left out)")
)


@bp.route("/invoices", methods=["POST"])
@bp.doc(**_body(invoices.InvoiceInput), **REQUEST_RULES)
@bp.response(201, InvoiceOut)
def request_invoice():
    """Request an invoice against a signed contract; the billing details are
    copied from the customer (each one the kind needs and the customer lacks
    is named: 409)."""
    require("sales.invoice.write")
    return invoices.request_invoice(json_body(), current_user)


@bp.route("/invoices/<int:invoice_id>", methods=["GET"])
@bp.response(200, InvoiceOut)
def get_invoice(invoice_id: int):
    require("sales.invoice.read")
    return visible_record(Invoice, invoice_id, current_user)


@bp.route("/invoices/<int:invoice_id>/issue", methods=["POST"])
@bp.doc(**_body(IssueBody), **field_rules((("issued_on",), "not after today")))
@bp.response(200, InvoiceOut)
def issue_invoice(invoice_id: int):
    """Record the issued invoice: the tax system's ``number`` (unique among
    issued invoices) and ``issued_on`` (not in the future; left out: today)."""
    require("sales.invoice.issue")
    invoice = visible_record(Invoice, invoice_id, current_user)
    payload = json_body()
    return invoices.issue_invoice(invoice, payload, current_user, expected_version(payload))


@bp.route("/invoices/<int:invoice_id>/cancel", methods=["POST"])
@bp.doc(**_body(CancelBody))
@bp.response(200, InvoiceOut)
def cancel_invoice(invoice_id: int):
    """Cancel with a ``reason``; an issued invoice needs ``sales.invoice.issue``
    and comes off the contract's invoiced sum (the red-letter reversal with
    the tax system is done there)."""
    if not current_user.can("sales.invoice.issue"):
        require("sales.invoice.write")
    invoice = visible_record(Invoice, invoice_id, current_user)
    payload = json_body()
    return invoices.cancel_invoice(invoice, payload, current_user, expected_version(payload))


@bp.route("/customers/<int:customer_id>/billing-profile", methods=["GET"])
@bp.response(200, BillingOut)
def get_billing_profile(customer_id: int):
    """The customer's billing details (开票信息); 404 until they are saved."""
    require("customer.read")
    profile = billing.billing_profile(customer_id, current_user)
    if profile is None:
        raise NotFoundError(_("this customer has no billing details yet"))
    return profile


#: a check character is beyond JSON Schema
USCC_RULE = field_rules(
    (("tax_number",), "on a CN instance: a unified social credit code, its check character valid")
)


@bp.route("/customers/<int:customer_id>/billing-profile", methods=["PUT"])
@bp.doc(**_body(BillingBody), **USCC_RULE)
@bp.response(200, BillingOut)
def put_billing_profile(customer_id: int):
    """Create or replace the billing details: every field is set, one left
    out is cleared; send the ``version`` you read (409 when stale)."""
    require("customer.write")
    payload = json_body()
    version = expected_version(payload)
    return billing.save_billing_profile(customer_id, payload, current_user, version)


@bp.route("/contracts/<int:contract_id>/invoice-summary", methods=["GET"])
@bp.response(200, InvoiceSummaryOut)
def invoice_summary(contract_id: int):
    """Contracted, invoiced, collected and the gaps between them."""
    require("sales.invoice.read")
    return contract_summary(visible_record(Contract, contract_id, current_user))
