"""What ``/api/v1/service/work-orders`` answers and reads: an order, its
history, the parts it used and the actions the caller may take; the
transition body, the engineer suggestions and the list's query arguments."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, missing, validate

from core.api import Amount, ListArgs

from ..models import PRIORITIES, STATUSES
from ..services import lifecycle, parts, stock


class WorkOrderOut(Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String()
    customer_id = fields.Integer()
    customer_name = fields.Function(lambda o: o.customer.name, dump_only=True)
    contact_id = fields.Integer(allow_none=True)
    status = fields.String()
    priority = fields.String()
    category = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    product = fields.String(allow_none=True)
    serial_number = fields.String(allow_none=True)
    engineer_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    respond_by = fields.DateTime(allow_none=True)
    resolve_by = fields.DateTime(allow_none=True)
    contract_id = fields.Integer(allow_none=True)
    coverage = fields.String(metadata={"description": "covered (by contract_id) or chargeable"})
    appointment_at = fields.DateTime(allow_none=True)
    assigned_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    departed_at = fields.DateTime(allow_none=True)
    checked_in_at = fields.DateTime(allow_none=True)
    checked_out_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    diagnosis = fields.String(allow_none=True)
    work_done = fields.String(allow_none=True)
    labour_minutes = fields.Integer(allow_none=True)
    charges = fields.Decimal(
        as_string=True,
        allow_none=True,
        metadata={"type": ["string", "null"], "description": 'exact amount, e.g. "120.50"'},
    )
    confirmed_by = fields.String(allow_none=True)
    override_note = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class EventOut(Schema):
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    user_id = fields.Integer(allow_none=True)
    at = fields.DateTime()
    note = fields.String(allow_none=True)


def _text(getter):
    return fields.Function(getter, metadata={"type": "string"})


class PartUsedOut(Schema):
    part_id = fields.Integer()
    sku = _text(lambda m: m.part.sku)
    name = _text(lambda m: m.part.name)
    unit = _text(lambda m: m.part.unit)
    quantity = _text(lambda m: str(-m.quantity))
    location_id = fields.Integer()
    location_name = _text(lambda m: m.location.name)
    at = fields.DateTime()


class PartsUsed(fields.List):
    """The parts taken out of stock for the order (:func:`parts.parts_used`)."""

    def get_value(self, obj, attr, accessor=None, default=missing):
        return parts.parts_used(obj)


class WorkOrderDetail(WorkOrderOut):
    history = fields.List(fields.Nested(EventOut), attribute="events")
    parts_used = PartsUsed(fields.Nested(PartUsedOut), dump_only=True)
    allowed_actions = fields.Function(
        lambda o: lifecycle.actions_for(current_user, o), dump_only=True
    )


class ActionOut(Schema):
    action = fields.String()
    to_status = fields.String()
    label = fields.String()


class TransitionsOut(Schema):
    status = fields.String()
    version = fields.Integer()
    actions = fields.List(fields.Nested(ActionOut))


class TransitionInput(Schema):
    """``action`` and the ``version`` you read, plus what the action needs:
    ``engineer_id`` (assign; ``override_reason`` outside skills or regions),
    ``reason`` (decline, reopen, cancel), the report (complete)."""

    action = fields.String(required=True, validate=validate.OneOf(lifecycle.ACTIONS))
    version = fields.Integer(required=True)
    note = fields.String()
    reason = fields.String()
    engineer_id = fields.Integer()
    appointment_at = fields.AwareDateTime()
    override_reason = fields.String()
    diagnosis = fields.String()
    work_done = fields.String()
    labour_minutes = fields.Integer()
    charges = Amount()
    confirmed_by = fields.String()
    checked_out_at = fields.AwareDateTime()
    parts = fields.List(fields.Nested(stock.UseLine))


class SuggestionOut(Schema):
    engineer_id = fields.Integer()
    name = fields.String()
    skill_match = fields.Boolean()
    region_match = fields.Boolean()
    workload = fields.Integer()
    reasons = fields.List(fields.String())


class WorkOrderArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    engineer_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    customer_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
