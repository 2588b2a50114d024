"""What ``/api/v1/sales/quotes`` answers and reads: a quote (with its lines,
revisions and approval on its own page), the list's query arguments and
the bodies of the state changes. A quote's own input
(``services.quotes.editing.QuoteInput``, ``QuoteChange``) lives with its rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import QUOTE_STATUSES
from ..services.products import MAX_LINES, LineInput
from ..services.quotes.editing import QuoteChange, QuoteInput
from ..services.validation import one_of
from .products import PRODUCT_OR_PRICE

ID = validate.Range(1, 2**31 - 1)


class QuoteLineOut(Schema):
    product_id = fields.Integer(allow_none=True)
    description = fields.String()
    list_price = fields.Decimal(as_string=True)
    unit_price = fields.Decimal(as_string=True)
    quantity = fields.Decimal(as_string=True)
    discount_percent = fields.Decimal(as_string=True)
    total = fields.Decimal(as_string=True)


class QuoteOut(Schema):
    id = fields.Integer()
    number = fields.String()
    revision = fields.Integer()
    supersedes_id = fields.Integer(allow_none=True)
    deal_id = fields.Integer(allow_none=True)
    customer_id = fields.Integer()
    contact_id = fields.Integer(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    title = fields.String()
    status = fields.String(metadata={"enum": list(QUOTE_STATUSES)})
    currency = fields.String()
    list_total = fields.Decimal(as_string=True)
    subtotal = fields.Decimal(as_string=True)
    discount_percent = fields.Decimal(as_string=True)
    tax_percent = fields.Decimal(as_string=True)
    tax_amount = fields.Decimal(as_string=True)
    total = fields.Decimal(as_string=True)
    effective_discount_percent = fields.Decimal(as_string=True)
    valid_until = fields.Date(allow_none=True)
    locale = fields.String(allow_none=True)
    terms = fields.String(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class RevisionOut(Schema):
    id = fields.Integer()
    revision = fields.Integer()
    status = fields.String()
    total = fields.Decimal(as_string=True)
    updated_at = fields.DateTime()


class ApprovalOut(Schema):
    id = fields.Integer()
    status = fields.String()
    submitted_at = fields.DateTime()


class QuoteDetailOut(QuoteOut):
    """A quote on its own: its lines, every revision of its number the
    caller may see, and its latest approval request (``null``: never submitted)."""

    lines = fields.List(fields.Nested(QuoteLineOut))
    revisions = fields.List(fields.Nested(RevisionOut))
    approval = fields.Nested(ApprovalOut, allow_none=True)


class QuoteArgs(ListArgs):
    status = fields.String(
        validate=validate.OneOf(QUOTE_STATUSES),
        metadata={"description": "left out: every quote but the superseded revisions"},
    )
    customer_id = fields.Integer(validate=ID)
    deal_id = fields.Integer(validate=ID)
    owner_id = fields.Integer(validate=ID)


def Lines(**metadata) -> fields.List:  # noqa: N802  (reads like a field)
    """A quote's lines as the document states them: 1 to 100, each naming a
    product or describing itself with a price."""
    return fields.List(
        fields.Nested(LineInput),
        validate=validate.Length(1, MAX_LINES),
        metadata={"allOf": [{"items": PRODUCT_OR_PRICE}], **metadata},
    )


class QuoteCreateIn(QuoteInput):
    """A new quote: exactly one of ``deal_id`` and ``customer_id``."""

    lines = Lines(description="left out with deal_id: the deal's lines")  # type: ignore[assignment]

    class Meta:
        json_schema = one_of("deal_id", "customer_id")


class QuoteChangeIn(QuoteChange):
    lines = Lines(description="replace every line")  # type: ignore[assignment]
    version = fields.Integer(
        allow_none=True, metadata={"description": "the version you read (409 when stale)"}
    )


class VersionIn(Schema):
    version = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, 2**31 - 1),
        metadata={"description": "the quote's version you read (409 when stale)"},
    )


class AcceptIn(VersionIn):
    create_contract = fields.Boolean(
        load_default=True, metadata={"description": "make a draft contract from the quote"}
    )


class AcceptOut(QuoteOut):
    contract_id = fields.Integer(allow_none=True)
