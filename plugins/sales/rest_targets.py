"""``/api/v1/sales``: monthly targets (业绩目标), commission rules (提成规则) and
the monthly commission statement. Money travels as decimal strings."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from core.api import expected_version, json_body, require, translator, utcnow

from . import commission, targets
from .rest import bp
from .services import Id

_, _l = translator("sales")


def Dec(description: str = "decimal, two places",  # noqa: N802  (reads like a field)
        allow_none: bool = False) -> fields.Decimal:
    """A decimal sent as a string (documented as one: apispec would say number)."""
    return fields.Decimal(as_string=True, allow_none=allow_none, metadata={
        "type": ["string", "null"] if allow_none else "string", "format": "decimal",
        "description": description})


def require_target_write() -> None:
    """Targets and rules are written by ``sales.admin`` or ``sales.target.write``."""
    if not current_user.can("sales.admin"):
        require("sales.target.write")


def this_month() -> str:
    return f"{utcnow():%Y-%m}"


class MonthArgs(Schema):
    month = fields.String(validate=targets.month_value,
                          metadata={"description": "YYYY-MM (UTC); default: this month"})


class StatementArgs(MonthArgs):
    user_id = Id(metadata={"description": "the rep; default: the caller"})


class TargetOut(Schema):
    id = fields.Integer()
    month = fields.String()
    user_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    name = fields.String(metadata={"description": "the rep's or the team's name"})
    amount = Dec()
    currency = fields.String()
    achieved = Dec("won in the month (UTC) in the target's currency")
    percent = Dec("achieved / target × 100, two places (half up); null for a zero target",
                  allow_none=True)


class TargetList(Schema):
    month = fields.String()
    items = fields.List(fields.Nested(TargetOut))


class TierOut(Schema):
    from_amount = Dec()
    rate_percent = Dec("percent, two places")


class RuleOut(Schema):
    id = fields.Integer()
    name = fields.String()
    pipeline_id = fields.Integer(allow_none=True)
    product_id = fields.Integer(allow_none=True)
    currency = fields.String()
    tiers = fields.List(fields.Nested(TierOut))
    version = fields.Integer()


class TierLineOut(TierOut):
    to_amount = Dec("where the next tier starts; null for the last tier", allow_none=True)
    base = Dec("the part of the base in this tier")
    commission = Dec()


class RuleLineOut(Schema):
    rule_id = fields.Integer()
    name = fields.String()
    pipeline_id = fields.Integer(allow_none=True)
    product_id = fields.Integer(allow_none=True)
    currency = fields.String()
    base = Dec()
    commission = Dec()
    tiers = fields.List(fields.Nested(TierLineOut))


class StatementDealOut(Schema):
    id = fields.Integer()
    title = fields.String()
    customer = fields.String()
    pipeline = fields.String()
    amount = Dec()
    currency = fields.String()
    closed_at = fields.DateTime()
    rule_ids = fields.List(fields.Integer(), metadata={"description": "the rules counting it"})


class TotalOut(Schema):
    currency = fields.String()
    won_amount = Dec()
    commission = Dec()


class StatementOut(Schema):
    month = fields.String()
    user_id = fields.Integer()
    user_name = fields.String()
    deals = fields.List(fields.Nested(StatementDealOut))
    rules = fields.List(fields.Nested(RuleLineOut))
    totals = fields.List(fields.Nested(TotalOut))


@bp.route("/targets", methods=["GET"])
@bp.arguments(MonthArgs, location="query", as_kwargs=False)
@bp.response(200, TargetList)
def list_targets(args):
    """业绩目标 of a month with what each rep or team achieved (won deals closed
    in the UTC month, a team's including its sub-teams')."""
    require("sales.report.read")
    month = args.get("month") or this_month()
    return {"month": month, "items": targets.targets_for_month(current_user, month)}


@bp.route("/targets", methods=["PUT"])
@bp.doc(requestBody={"content": {"application/json": {"schema": targets.TargetInput}}})
@bp.response(200, TargetOut)
def put_target():
    """Set or replace the target of one rep (``user_id``) or team (``team_id``) for a month."""
    require_target_write()
    target = targets.set_target(json_body(), current_user)
    return targets.target_row(targets.won_in_month(current_user, target.month), target)


@bp.route("/targets/<int:target_id>", methods=["DELETE"])
@bp.response(204)
def delete_target(target_id: int):
    require_target_write()
    targets.delete_target(targets.visible_target(target_id, current_user), current_user)


@bp.route("/commission-rules", methods=["GET"])
@bp.response(200, RuleOut(many=True))
def list_rules():
    require("sales.report.read")
    return commission.rules()


@bp.route("/commission-rules", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": commission.RuleInput}}})
@bp.response(201, RuleOut)
def create_rule():
    """提成规则: progressive tiers (the first from 0) over a rep's monthly won amount."""
    require_target_write()
    return commission.create_rule(json_body(), current_user)


@bp.route("/commission-rules/<int:rule_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": commission.RuleInput}}})
@bp.response(200, RuleOut)
def update_rule(rule_id: int):
    """Change a rule; send the ``version`` you read (409 when stale)."""
    require_target_write()
    rule = commission.get_rule(rule_id)
    payload = json_body()
    version = expected_version(payload)
    return commission.update_rule(rule, payload, current_user, version)


@bp.route("/commission-rules/<int:rule_id>", methods=["DELETE"])
@bp.response(204)
def delete_rule(rule_id: int):
    require_target_write()
    commission.delete_rule(commission.get_rule(rule_id), current_user)


@bp.route("/reports/commission", methods=["GET"])
@bp.arguments(StatementArgs, location="query", as_kwargs=False)
@bp.response(200, StatementOut)
def commission_statement(args):
    """A rep's monthly commission statement (default: the caller, this UTC month).
    A rep the caller may not see is a 404."""
    require("sales.report.read")
    rep = targets.visible_rep(args.get("user_id") or current_user.id, current_user)
    return commission.statement(current_user, rep, args.get("month") or this_month())
