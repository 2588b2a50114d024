"""What ``/api/v1/sales/deals`` answers and reads: a deal (and as a CSV row),
its stage history, the list's query arguments and the stage move's body."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs


class DealOut(Schema):
    id = fields.Integer()
    title = fields.String()
    customer_id = fields.Integer()
    contact_id = fields.Integer(allow_none=True)
    pipeline_id = fields.Integer()
    stage_id = fields.Integer()
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    expected_close = fields.Date(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    lost_reason = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class DealRowOut(DealOut):
    """A deal as a row of the CSV export: the names beside the ids."""

    customer_name = fields.Function(lambda d: d.customer.name)
    stage_name = fields.Function(lambda d: d.stage.name)
    owner_name = fields.Function(lambda d: d.owner.name if d.owner else None)


class StageChangeOut(Schema):
    from_stage_id = fields.Integer(allow_none=True)
    to_stage_id = fields.Integer()
    changed_at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)


class DealArgs(ListArgs):
    pipeline_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    stage_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    owner_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    customer_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    outcome = fields.String(validate=validate.OneOf(("open", "won", "lost")))


class MoveInput(Schema):
    stage_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    version = fields.Integer(load_default=None)
    lost_reason = fields.String(load_default=None, validate=validate.Length(max=200))
