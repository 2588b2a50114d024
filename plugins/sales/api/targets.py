"""``/api/v1/sales``: monthly targets (业绩目标), commission rules (提成规则) and
the monthly commission statement. Money travels as decimal strings."""

from __future__ import annotations

from flask_login import current_user

from core.api import expected_version, field_rules, json_body, require, translator, utcnow

from ..schemas.targets import MonthArgs, RuleOut, StatementArgs, StatementOut, TargetList, TargetOut
from ..services import commission, targets
from ..services.validation import json_body as body_doc
from ..services.validation import one_of
from .blueprint import bp

_, _l = translator("sales")


def require_target_write() -> None:
    """Targets and rules are written by ``sales.admin`` or ``sales.target.write``."""
    if not current_user.can("sales.admin"):
        require("sales.target.write")


def this_month() -> str:
    return f"{utcnow():%Y-%m}"


@bp.route("/targets", methods=["GET"])
@bp.arguments(MonthArgs, location="query", as_kwargs=False)
@bp.response(200, TargetList)
def list_targets(args):
    """业绩目标 of a month with what each rep or team achieved by the target's
    measure — won deals closed, contracts signed or money collected (less
    reversals) in the UTC month, a team's including its sub-teams'."""
    require("sales.report.read")
    month = args.get("month") or this_month()
    return {"month": month, "items": targets.targets_for_month(current_user, month)}


@bp.route("/targets", methods=["PUT"])
@bp.doc(requestBody=body_doc(targets.TargetInput, **one_of("user_id", "team_id")))
@bp.response(200, TargetOut)
def put_target():
    """Set or replace the target of one rep (``user_id``) or team (``team_id``)
    for a month and measure (default won)."""
    require_target_write()
    target = targets.set_target(json_body(), current_user)
    achieved = targets.achieved_in_month(current_user, target.month, target.measure)
    return targets.target_row(achieved, target)


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


#: each tier starts above the one before (JSON Schema cannot compare items)
RISING = field_rules((("tiers.*.from_amount",), "each tier's from_amount is above the previous"))


@bp.route("/commission-rules", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": commission.RuleInput}}}, **RISING)
@bp.response(201, RuleOut)
def create_rule():
    """提成规则: progressive tiers (the first from 0) over a rep's monthly won amount."""
    require_target_write()
    return commission.create_rule(json_body(), current_user)


@bp.route("/commission-rules/<int:rule_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": commission.RuleChange}}}, **RISING)
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
@bp.doc(responses={"404": {"description": "no rep with this id the caller may see"}})
@bp.response(200, StatementOut)
def commission_statement(args):
    """A rep's monthly commission statement (default: the caller, this UTC month).
    A rep the caller may not see is a 404."""
    require("sales.report.read")
    rep = targets.visible_rep(args.get("user_id") or current_user.id, current_user)
    return commission.statement(current_user, rep, args.get("month") or this_month())
