"""Renewals (续保) and callbacks (回访) in the JSON API:

- ``GET /renewals``: the terms due for renewal in the caller's scope
  (``within`` days, default each product's lead days; ``agent_id``);
- ``POST /renewals/{id}/lost``: the renewal lost, with its reason;
- ``POST /policies/{id}/renewal-quote``: the next term quoted, old and new
  premium side by side; ``POST /policies/{id}/renew``: quoted, bound and
  issued at once;
- ``POST /policies/{id}/callback``: the callback's outcome.

A policy out of the caller's scope is a 404; a refused input a 422 naming
its field; a term that cannot be renewed, a second next term or a stale
``version`` a 409.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import selectinload

from core.api import (
    ListArgs,
    expected_version,
    json_body,
    load,
    page_schema,
    paginate,
    require,
    sorted_by,
)

from ..models import CALLBACK_OUTCOMES, LOST_REASONS, POLICY_STATES, Policy
from ..schemas.policies import InsurancePolicyOut
from ..services.access import visible_policy
from ..services.policies.callbacks import record_callback
from ..services.policies.renewals import change_percent, due_query, mark_lost
from ..services.policies.successors import renew, renewal_quote
from ..services.terms import today
from .blueprint import bp

_ID = validate.Range(1, 2**31 - 1)
SORTABLE = {"end_date": Policy.end_date, "annual_premium": Policy.annual_premium}


class InsuranceRenewalArgs(ListArgs):
    within = fields.Integer(
        validate=validate.Range(0, 3650),
        metadata={"description": "ending within this many days (default: the product's lead days)"},
    )
    agent_id = fields.Integer(validate=_ID)


class InsuranceRenewalOut(Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True)
    term_no = fields.Integer()
    status = fields.String(metadata={"enum": list(POLICY_STATES)})
    customer_id = fields.Integer()
    customer = fields.Function(lambda p: p.customer.name)
    product_id = fields.Integer()
    product = fields.Function(lambda p: p.product.name)
    end_date = fields.Date()
    days_left = fields.Function(
        lambda p: (p.end_date - today()).days,
        metadata={"description": "days from today to the end date (negative: expired)"},
    )
    annual_premium = fields.Decimal(as_string=True)
    currency = fields.String()
    agent_id = fields.Integer(allow_none=True)
    version = fields.Integer()


class InsuranceRenewalQuoteBody(Schema):
    start_date = fields.Date(
        allow_none=True,
        metadata={"description": "the next term's start; only the day after this one ends"},
    )
    version = fields.Integer(allow_none=True, metadata={"description": "the version you read"})


class InsuranceRenewalQuoteOut(Schema):
    predecessor_id = fields.Integer()
    previous_premium = fields.Decimal(as_string=True)
    new_premium = fields.Decimal(as_string=True)
    change_percent = fields.Decimal(as_string=True, allow_none=True)
    successor = fields.Nested(InsurancePolicyOut)


class InsuranceRenewalLostBody(Schema):
    lost_reason = fields.String(required=True, metadata={"enum": list(LOST_REASONS)})
    lost_note = fields.String(allow_none=True, validate=validate.Length(max=500))
    version = fields.Integer(allow_none=True)


class InsuranceCallbackBody(Schema):
    outcome = fields.String(required=True, metadata={"enum": list(CALLBACK_OUTCOMES)})
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    version = fields.Integer(allow_none=True)


class _StartInput(Schema):
    start_date = fields.Date(allow_none=True, load_default=None)


@bp.route("/renewals", methods=["GET"])
@bp.arguments(sorted_by(InsuranceRenewalArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(InsuranceRenewalOut, "InsuranceRenewalPage"))
def list_renewals(args):
    """Terms in force or in grace ending soon, and terms expired within the
    product's late-renewal days; not those marked lost or already renewed
    (quoted, bound or issued). Soonest end first."""
    require("insurance.policy.read")
    query = due_query(
        current_user, today(), within=args.get("within"), agent_id=args.get("agent_id")
    ).options(selectinload(Policy.customer), selectinload(Policy.product))  # of the page only
    return paginate(query, args, SORTABLE, "end_date")


@bp.route("/renewals/<int:policy_id>/lost", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": InsuranceRenewalLostBody}}})
@bp.response(200, InsurancePolicyOut)
def lose_renewal(policy_id: int):
    """Mark the renewal lost: ``lost_reason`` (required, one of the reasons)
    and a ``lost_note``; the term leaves the due list and still expires."""
    require("insurance.policy.write")
    policy = visible_policy(policy_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    return mark_lost(
        policy, current_user, payload.get("lost_reason"), payload.get("lost_note"), version
    )


def _start_and_version() -> tuple:
    payload = request.get_json(silent=True)
    payload = dict(payload) if isinstance(payload, dict) else {}
    version = expected_version(payload)
    values = load(_StartInput(), {k: v for k, v in payload.items() if k == "start_date"})
    return values.get("start_date"), version


def _quote_out(policy: Policy, successor: Policy) -> dict:
    return {
        "predecessor_id": policy.id,
        "previous_premium": policy.annual_premium,
        "new_premium": successor.annual_premium,
        "change_percent": change_percent(policy.annual_premium, successor.annual_premium),
        "successor": successor,
    }


@bp.route("/policies/<int:policy_id>/renewal-quote", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": InsuranceRenewalQuoteBody}}})
@bp.response(201, InsuranceRenewalQuoteOut)
def quote_renewal(policy_id: int):
    """Quote the next term: same parties and covers, starting the day after
    this term ends, priced again at the insured's new age; its premium
    beside this term's and the change in percent. Asking again re-prices
    the open renewal quote."""
    require("insurance.policy.write")
    policy = visible_policy(policy_id, current_user)
    start_date, version = _start_and_version()
    successor = renewal_quote(policy, current_user, start_date=start_date, expected_version=version)
    return _quote_out(policy, successor)


@bp.route("/policies/<int:policy_id>/renew", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": InsuranceRenewalQuoteBody}}})
@bp.response(201, InsuranceRenewalQuoteOut)
def renew_policy(policy_id: int):
    """Renew in one step: the renewal quote, bound and issued (the next term
    keeps the policy number with the next term number; this term becomes
    renewed). Issuing needs ``insurance.policy.issue`` (403)."""
    require("insurance.policy.write")
    policy = visible_policy(policy_id, current_user)
    start_date, version = _start_and_version()
    successor = renew(policy, current_user, start_date=start_date, expected_version=version)
    return _quote_out(policy, successor)


@bp.route("/policies/<int:policy_id>/callback", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": InsuranceCallbackBody}}})
@bp.response(200, InsurancePolicyOut)
def policy_callback(policy_id: int):
    """Record the callback (回访): ``outcome`` (confirmed, wants_cancel,
    unreachable, complaint) and a ``note``; completes the callback task."""
    require("insurance.policy.write")
    policy = visible_policy(policy_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    return record_callback(
        policy, current_user, payload.get("outcome"), payload.get("note"), version
    )
