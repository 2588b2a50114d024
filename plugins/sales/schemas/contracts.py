"""What ``/api/v1/sales/contracts`` answers and reads: a contract (and as a
CSV row), its amendments, the list's query arguments and the bodies of the
moves (sign, terminate, amend)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import AttachmentList, ListArgs

from ..models import CONTRACT_STATUSES

_ID = validate.Range(1, 2**31 - 1)


class ContractAmendmentOut(Schema):
    number = fields.Integer()
    reason = fields.String()
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String(allow_none=True)),
        metadata={"description": "{field: [before, after]}, values as text"},
    )
    user_id = fields.Integer(allow_none=True)
    at = fields.DateTime()


class SalesContractOut(Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String()
    customer_id = fields.Integer()
    contact_id = fields.Integer(allow_none=True)
    deal_id = fields.Integer(allow_none=True)
    quote_id = fields.Integer(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": list(CONTRACT_STATUSES)})
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    signed_date = fields.Date(allow_none=True)
    terms = fields.String(allow_none=True)
    amendment = fields.Integer()
    termination_reason = fields.String(allow_none=True)
    terminated_at = fields.DateTime(allow_none=True)
    collected = fields.Decimal(as_string=True)
    invoiced = fields.Decimal(as_string=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class SalesContractDetailOut(SalesContractOut):
    amendments = fields.List(fields.Nested(ContractAmendmentOut))
    attachments = AttachmentList("sales_contract")


class SalesContractRowOut(SalesContractOut):
    """A contract as a row of the CSV export: the names beside the ids."""

    customer_name = fields.Function(lambda c: c.customer.name)
    owner_name = fields.Function(lambda c: c.owner.name if c.owner else None)

    class Meta:
        exclude = ("terms",)


class SalesContractArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(CONTRACT_STATUSES))
    owner_id = fields.Integer(validate=_ID)
    customer_id = fields.Integer(validate=_ID)
    expiring_within = fields.Integer(
        validate=validate.Range(0, 3650),
        metadata={"description": "signed or active, ending within this many days from today"},
    )


class ContractVersionInput(Schema):
    version = fields.Integer(load_default=None)


class ContractSignBody(ContractVersionInput):
    signed_date = fields.Date(required=True)
    contact_id = fields.Integer(required=True, validate=_ID, metadata={"description": "signatory"})


class ContractTerminateBody(ContractVersionInput):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ContractAmendBody(ContractVersionInput):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))
    changes = fields.Dict(
        required=True, metadata={"description": "any of title, amount, start_date, end_date, terms"}
    )
