"""What ``/api/v1/sales/leads`` and ``/assignment-rules`` answer and read:
a lead, the list's query arguments, an import's report, a follow-up, a
disqualification and the assignment rules. A lead's own input
(``services.leads.LeadInput``, ``ConvertInput``) lives with its rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import LEAD_SOURCES, LEAD_STATUSES
from ..services import lead_activities
from ..services.validation import one_of


class LeadOut(Schema):
    id = fields.Integer()
    name = fields.String()
    company = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    source = fields.String()
    status = fields.String()
    notes = fields.String(allow_none=True)
    disqualify_reason = fields.String(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    customer_id = fields.Integer(allow_none=True)
    deal_id = fields.Integer(allow_none=True)
    converted_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer()


class LeadArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(LEAD_STATUSES))
    source = fields.String(validate=validate.OneOf(LEAD_SOURCES))
    owner_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))


class ImportArgs(Schema):
    skip_bad = fields.Boolean(
        load_default=False, metadata={"description": "import the good rows even when some are bad"}
    )


class ImportOut(Schema):
    imported = fields.Integer()
    bad_rows = fields.List(fields.Dict(), metadata={"description": "{line, errors} per bad row"})


class FollowUpInput(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(lead_activities.KINDS))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=20000))
    direction = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(("in", "out"))
    )
    due_at = fields.AwareDateTime(
        allow_none=True, load_default=None, metadata={"description": "required for a task"}
    )


class LeadActivityOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    subject = fields.String()
    body = fields.String(allow_none=True)
    occurred_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    done_at = fields.DateTime(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    customer_id = fields.Integer(allow_none=True)


class DisqualifyInput(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class RuleIO(Schema):
    position = fields.Integer(load_default=0, validate=validate.Range(0, 10_000))
    source = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(LEAD_SOURCES)
    )
    region = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=80))
    user_id = fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(1, 2**31 - 1)
    )
    team_id = fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(1, 2**31 - 1)
    )


class RulesIO(Schema):
    rules = fields.List(
        fields.Nested(RuleIO),
        required=True,
        validate=validate.Length(max=100),
        # each rule names exactly one user or one team (services.leads.replace_rules)
        metadata={"allOf": [{"items": one_of("user_id", "team_id")}]},
    )
