"""What the follow-up (随访) endpoints answer, and their lists' query
arguments. The inputs (``services.followup.TemplateInput``, ``PlanInput``,
``StopInput``, ``AttemptInput``) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models.followup import (
    ATTEMPT_OUTCOMES,
    FOLLOWUP_CHANNELS,
    PLAN_STATES,
    QUESTION_KINDS,
    STEP_STATES,
)

_ID = validate.Range(1, 2**31 - 1)


class HisFollowupTemplateArgs(ListArgs):
    active = fields.Boolean(load_default=None, allow_none=True)
    department_id = fields.Integer(validate=_ID)


class HisFollowupQuestionOut(Schema):
    key = fields.String()
    text = fields.String()
    kind = fields.String(metadata={"enum": list(QUESTION_KINDS)})
    choices = fields.List(fields.String())
    red_flag = fields.Dict(allow_none=True)


class HisFollowupTemplateOut(Schema):
    id = fields.Integer()
    name = fields.String()
    department_id = fields.Integer(allow_none=True)
    diagnosis_prefix = fields.String(allow_none=True)
    chronic = fields.Boolean()
    offsets = fields.List(fields.Integer())
    repeat_months = fields.Integer(allow_none=True)
    channel = fields.String(metadata={"enum": list(FOLLOWUP_CHANNELS)})
    questions = fields.List(fields.Nested(HisFollowupQuestionOut))
    attempts_before_lost = fields.Integer()
    active = fields.Boolean()
    plan_id = fields.Integer(
        allow_none=True, metadata={"description": "the core follow-up plan making its tasks"}
    )
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class HisFollowupPlanArgs(ListArgs):
    customer_id = fields.Integer(validate=_ID)
    visit_id = fields.Integer(validate=_ID)
    template_id = fields.Integer(validate=_ID)
    status = fields.String(validate=validate.OneOf(PLAN_STATES))


class HisFollowupStepOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    due_on = fields.Date()
    status = fields.String(metadata={"enum": list(STEP_STATES)})
    attempts = fields.Integer()
    failed_attempts = fields.Integer()
    red_flag = fields.Boolean()
    task_id = fields.Integer(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)


class HisFollowupPlanOut(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    patient = fields.Function(lambda p: p.customer.name, metadata={"type": "string"})
    visit_id = fields.Integer(allow_none=True)
    template_id = fields.Integer()
    template = fields.Function(lambda p: p.template.name, metadata={"type": "string"})
    owner_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": list(PLAN_STATES)})
    ended_at = fields.DateTime(allow_none=True)
    stop_reason = fields.String(allow_none=True)
    steps = fields.List(fields.Nested(HisFollowupStepOut))
    version = fields.Integer()
    created_at = fields.DateTime()


class HisFollowupAnswerOut(Schema):
    key = fields.String()
    question = fields.String()
    value = fields.String()
    red_flag = fields.Boolean()


class HisFollowupAttemptOut(Schema):
    """A contact attempt: the timeline entry, with the answers given on it."""

    id = fields.Integer(metadata={"description": "the timeline activity"})
    step_id = fields.Integer(attribute="link_id")
    kind = fields.String(metadata={"description": "call, sms or visit (the channel)"})
    outcome = fields.String(metadata={"enum": list(ATTEMPT_OUTCOMES)})
    note = fields.String(attribute="body", allow_none=True)
    occurred_at = fields.DateTime()
    owner_id = fields.Integer(allow_none=True)
    answers = fields.List(fields.Nested(HisFollowupAnswerOut), dump_default=list)


class HisFollowupAttemptedOut(Schema):
    attempt = fields.Nested(HisFollowupAttemptOut)
    step = fields.Nested(HisFollowupStepOut)
    plan_status = fields.String(metadata={"enum": list(PLAN_STATES)})
    red_flags = fields.List(fields.Nested(HisFollowupAnswerOut))
    doctor_task_id = fields.Integer(
        allow_none=True, metadata={"description": "the red-flag task given to the visit's doctor"}
    )
