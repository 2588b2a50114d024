"""Claims as the API answers them, the list's query arguments and the
body of a move."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import CAUSES, CHANNELS, CLAIM_STATES
from ..services.claims.lifecycle import TransitionInput
from ..services.states import CLAIM

_ID = validate.Range(1, 2**31 - 1)


class InsuranceClaimArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(CLAIM_STATES))
    policy_id = fields.Integer(validate=_ID)
    customer_id = fields.Integer(validate=_ID)
    agent_id = fields.Integer(validate=_ID)
    cause = fields.String(
        validate=validate.OneOf(CAUSES),
        metadata={"description": "Only claims of this cause (``outpatient``: a hospital bill)."},
    )
    to_review = fields.Boolean(
        metadata={"description": "Only claims whose risk warnings wait for a review."}
    )


class InsuranceClaimOut(Schema):
    id = fields.Integer()
    number = fields.String()
    policy_id = fields.Integer()
    policy_number = fields.Function(lambda c: c.policy.number)
    customer_id = fields.Integer()
    agent_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    handler_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": list(CLAIM_STATES)})
    loss_date = fields.Date()
    reported_at = fields.DateTime()
    channel = fields.String(metadata={"enum": list(CHANNELS)})
    description = fields.String()
    currency = fields.String()
    claimed_amount = fields.Decimal(as_string=True)
    reserve = fields.Decimal(as_string=True)
    approved_amount = fields.Decimal(as_string=True, allow_none=True)
    paid_amount = fields.Decimal(as_string=True)
    paid_on = fields.Date(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    reject_code = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    exception = fields.Boolean()
    exception_note = fields.String(allow_none=True)
    risk_flags = fields.List(fields.String())
    cause = fields.String(
        allow_none=True,
        dump_only=True,
        metadata={
            "enum": list(CAUSES),
            "description": "what the claim is for when not an ordinary loss "
            "(``outpatient``: the insurer's share of a hospital bill); null: a loss",
        },
    )
    source = fields.String(
        allow_none=True,
        dump_only=True,
        metadata={"description": "the record the claim came from (``his_payment``)"},
    )
    source_id = fields.Integer(
        allow_none=True, dump_only=True, metadata={"description": "that record's id"}
    )
    reviewed_at = fields.DateTime(allow_none=True)
    reviewed_by_id = fields.Integer(allow_none=True)
    review_note = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class InsuranceClaimEventOut(Schema):
    seq = fields.Integer()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    reserve_delta = fields.Decimal(as_string=True)
    paid_delta = fields.Decimal(as_string=True)
    amount = fields.Decimal(as_string=True, allow_none=True)
    reason = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    at = fields.DateTime()
    event_on = fields.Date()


class InsuranceClaimDetailOut(InsuranceClaimOut):
    events = fields.List(fields.Nested(InsuranceClaimEventOut))
    allowed_actions = fields.List(fields.String())


class InsuranceClaimMoveOut(Schema):
    action = fields.String()
    label = fields.String()
    to_status = fields.String()


class InsuranceClaimMovesOut(Schema):
    status = fields.String(metadata={"enum": list(CLAIM_STATES)})
    version = fields.Integer()
    moves = fields.List(fields.Nested(InsuranceClaimMoveOut))


class InsuranceClaimTransitionBody(TransitionInput):
    """A move: its ``action`` and the ``version`` read (409 when stale)."""

    action = fields.String(required=True, validate=validate.OneOf(list(CLAIM.transitions)))
    version = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))


class InsuranceClaimReviewBody(Schema):
    """The review of a claim's risk warnings: what it found, and the ``version`` read."""

    note = fields.String(required=True, validate=validate.Length(min=1, max=500))
    version = fields.Integer(required=True)
