"""What ``/api/v1/sales/invoices`` and a customer's ``billing-profile``
answer and read: an invoice, the list's query arguments, the issue and
cancel bodies, the billing details and a contract's invoice summary."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models.invoice import INVOICE_KINDS, INVOICE_STATUSES
from ..services.invoices.billing import BillingInput
from ..services.invoices.invoices import CancelInput, IssueInput
from ..services.validation import Id, Month


class InvoiceOut(Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    payment_id = fields.Integer(allow_none=True)
    customer_id = fields.Integer()
    owner_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    kind = fields.String()
    status = fields.String()
    number = fields.String(allow_none=True)
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    tax_percent = fields.Decimal(as_string=True)
    title = fields.String()
    tax_number = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    bank_name = fields.String(allow_none=True)
    bank_account = fields.String(allow_none=True)
    requested_by_id = fields.Integer(allow_none=True)
    issued_by_id = fields.Integer(allow_none=True)
    issued_on = fields.Date(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class InvoiceArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(INVOICE_STATUSES))
    kind = fields.String(validate=validate.OneOf(INVOICE_KINDS))
    customer_id = Id()
    contract_id = Id()
    month = Month(metadata={"description": "issued in this month, YYYY-MM"})


class IssueBody(IssueInput):
    version = fields.Integer(load_default=None)


class CancelBody(CancelInput):
    version = fields.Integer(load_default=None)


class BillingBody(BillingInput):
    version = fields.Integer(load_default=None)


class BillingOut(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    title = fields.String()
    tax_number = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    bank_name = fields.String(allow_none=True)
    bank_account = fields.String(allow_none=True)
    updated_at = fields.DateTime()
    version = fields.Integer()


class InvoiceSummaryOut(Schema):
    """A contract's money side by side, in its currency."""

    contract_id = fields.Integer()
    number = fields.String()
    currency = fields.String()
    contracted = fields.Decimal(as_string=True)
    invoiced = fields.Decimal(as_string=True, metadata={"description": "issued invoices"})
    collected = fields.Decimal(as_string=True, metadata={"description": "confirmed payments"})
    requested = fields.Decimal(as_string=True, metadata={"description": "waiting to be issued"})
    invoiced_not_collected = fields.Decimal(as_string=True)
    collected_not_invoiced = fields.Decimal(as_string=True)
    left_to_invoice = fields.Decimal(as_string=True)
