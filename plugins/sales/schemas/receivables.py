"""What ``/api/v1/sales/receivable-plans``, ``/payments`` and
``/collections`` answer and read: a contract's plan with each instalment's
collected and open amounts, payments, the collection list's rows and the
lists' query arguments (the inputs are the services' schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models.receivable import PAYMENT_STATUSES
from ..services.validation import MAX_ID

STATES = ("open", "partly_paid", "paid", "overdue")


class InstalmentOut(Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    number = fields.Integer()
    due_date = fields.Date()
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    collected = fields.Decimal(as_string=True)
    open = fields.Decimal(as_string=True, metadata={"description": "amount - collected"})
    settled_on = fields.Date(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "open after its due date"})
    state = fields.String(metadata={"enum": list(STATES)})
    note = fields.String(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    version = fields.Integer()


class ReceivablePlanOut(Schema):
    contract_id = fields.Integer()
    contract_number = fields.String()
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    collected = fields.Decimal(as_string=True)
    version = fields.Integer(metadata={"description": "the contract's; send it back on PUT"})
    instalments = fields.List(fields.Nested(InstalmentOut))


class ReceivablePlanArgs(Schema):
    contract_id = fields.Integer(required=True, validate=validate.Range(1, MAX_ID))


class PaymentOut(Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    instalment_id = fields.Integer(allow_none=True)
    customer_id = fields.Integer()
    owner_id = fields.Integer(allow_none=True)
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    paid_on = fields.Date()
    method = fields.String()
    reference = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(PAYMENT_STATUSES)})
    received_by_id = fields.Integer(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    reversed_at = fields.DateTime(allow_none=True)
    reversal_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer()


class PaymentArgs(ListArgs):
    contract_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    owner_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    status = fields.String(validate=validate.OneOf(PAYMENT_STATUSES))
    paid_from = fields.Date(metadata={"description": "paid on or after"})
    paid_to = fields.Date(metadata={"description": "paid on or before"})


class ReverseInput(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CollectionListArgs(ListArgs):
    owner_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    as_of = fields.Date(metadata={"description": "due before this day (default today)"})


class CollectionRowOut(Schema):
    instalment_id = fields.Integer()
    contract_id = fields.Integer()
    contract_number = fields.String()
    number = fields.Integer()
    customer_id = fields.Integer()
    customer_name = fields.String()
    owner_id = fields.Integer(allow_none=True)
    due_date = fields.Date()
    days_overdue = fields.Integer()
    amount = fields.Decimal(as_string=True)
    collected = fields.Decimal(as_string=True)
    open = fields.Decimal(as_string=True)
    currency = fields.String()


def payment_request() -> type[Schema]:
    """POST ``/payments``'s body: the contract, then the payment itself."""
    from ..services.receivables.payments import PaymentInput

    class PaymentRequest(PaymentInput):
        contract_id = fields.Integer(required=True, validate=validate.Range(1, MAX_ID))

    return PaymentRequest
