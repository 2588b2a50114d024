"""``/api/v1/sales``: pipelines, deals, stage moves and the reports.

Access follows core's scoped query helper: a rep sees their own deals, a
manager their team's; a deal of a customer the caller may not see is a 404.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.api import (
    ApiBlueprint, Customer, ListArgs, NotFoundError, ValidationError, db, page_schema, paginate,
    require, scoped, translator,
)

from . import reports, services
from .models import Deal, Pipeline, Stage, StageChange

_, _l = translator("sales")
bp = ApiBlueprint("api_sales", __name__, description="Sales: pipelines (销售流程) and deals (商机)")
SORTABLE = {"updated_at": Deal.updated_at, "created_at": Deal.created_at, "amount": Deal.amount,
            "expected_close": Deal.expected_close, "title": Deal.title}


class StageOut(Schema):
    id = fields.Integer()
    name = fields.String()
    position = fields.Integer()
    probability = fields.Integer()
    outcome = fields.String()


class PipelineOut(Schema):
    id = fields.Integer()
    name = fields.String()
    version = fields.Integer()
    stages = fields.List(fields.Nested(StageOut))


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


def visible_deals():
    return scoped(select(Deal), Deal, current_user)


def visible_deal(deal_id: int) -> Deal:
    deal = db.session.scalar(visible_deals().where(Deal.id == deal_id))
    if deal is None:
        raise NotFoundError(_("deal %(id)s not found", id=deal_id))
    return deal


def visible_customer_id(customer_id) -> None:
    """404 unless the caller may see the customer (its existence does not leak)."""
    if isinstance(customer_id, int) and not db.session.scalar(
            scoped(select(Customer.id), Customer, current_user).where(Customer.id == customer_id)):
        raise NotFoundError(_("customer %(id)s not found", id=customer_id))


def json_body() -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationError({"_body": [_("expected a JSON object")]})
    return payload


@bp.route("/pipelines", methods=["GET"])
@bp.response(200, PipelineOut(many=True))
def list_pipelines():
    require("sales.deal.read")
    return services.pipelines()


@bp.route("/pipelines", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": services.PipelineInput}}})
@bp.response(201, PipelineOut)
def create_pipeline():
    """A pipeline with its ordered stages (exactly one won and one lost stage)."""
    require("sales.admin")
    return services.create_pipeline(json_body(), current_user)


@bp.route("/deals", methods=["GET"])
@bp.arguments(DealArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(DealOut, "DealPage"))
def list_deals(args):
    require("sales.deal.read")
    query = visible_deals()
    for key in ("pipeline_id", "stage_id", "owner_id", "customer_id"):
        if args.get(key):
            query = query.where(getattr(Deal, key) == args[key])
    if args.get("outcome"):
        query = query.where(Deal.stage_id.in_(select(Stage.id).where(
            Stage.outcome == args["outcome"])))
    if args.get("q"):
        query = query.where(Deal.title.contains(args["q"], autoescape=True))
    return paginate(query, args, SORTABLE, "-updated_at")


@bp.route("/deals", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": services.DealInput}}})
@bp.response(201, DealOut)
def create_deal():
    require("sales.deal.write")
    payload = json_body()
    visible_customer_id(payload.get("customer_id"))
    return services.create_deal(payload, current_user)


@bp.route("/deals/<int:deal_id>", methods=["GET"])
@bp.response(200, DealOut)
def get_deal(deal_id: int):
    require("sales.deal.read")
    return visible_deal(deal_id)


@bp.route("/deals/<int:deal_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": services.DealChange}}})
@bp.response(200, DealOut)
def update_deal(deal_id: int):
    """Edit a deal; send the ``version`` you read (409 when stale)."""
    require("sales.deal.write")
    deal = visible_deal(deal_id)
    payload = json_body()
    version = payload.pop("version", None)
    return services.update_deal(deal, payload, current_user,
                                version if isinstance(version, int) else None)


@bp.route("/deals/<int:deal_id>/stage", methods=["POST"])
@bp.arguments(MoveInput, as_kwargs=False)
@bp.response(200, DealOut)
def move_deal(args, deal_id: int):
    """Move the deal to another stage of its pipeline (a lost stage needs ``lost_reason``)."""
    require("sales.deal.write")
    return services.move_stage(visible_deal(deal_id), args["stage_id"], current_user,
                               args["version"], args["lost_reason"])


@bp.route("/deals/<int:deal_id>/history", methods=["GET"])
@bp.response(200, StageChangeOut(many=True))
def deal_history(deal_id: int):
    """Every stage the deal entered, oldest first, with when and who."""
    require("sales.deal.read")
    deal = visible_deal(deal_id)
    return db.session.scalars(select(StageChange).where(StageChange.deal_id == deal.id)
                              .order_by(StageChange.changed_at, StageChange.id)).all()


class FunnelStageOut(Schema):
    id = fields.Integer()
    name = fields.String()
    probability = fields.Integer()
    reached = fields.Integer()
    conversion = fields.Float(allow_none=True)


class FunnelOut(Schema):
    pipeline_id = fields.Integer()
    stages = fields.List(fields.Nested(FunnelStageOut))
    deals = fields.Integer()
    open = fields.Integer()
    won = fields.Integer()
    lost = fields.Integer()
    win_rate = fields.Float(allow_none=True)
    average_cycle_days = fields.Float(allow_none=True)


class MonthOut(Schema):
    month = fields.String(metadata={"description": "YYYY-MM"})
    currency = fields.String()
    open_amount = fields.String(metadata={"description": "decimal, open deals expected to close"})
    weighted_amount = fields.String(metadata={"description": "decimal, weighted by win probability"})
    won_amount = fields.String(metadata={"description": "decimal, deals won (by close month)"})


class ForecastOut(Schema):
    months = fields.List(fields.Nested(MonthOut))


class FunnelArgs(reports.ReportArgs):
    pipeline_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))


@bp.route("/reports/funnel", methods=["GET"])
@bp.arguments(FunnelArgs, location="query", as_kwargs=False)
@bp.response(200, FunnelOut)
def funnel(args):
    """销售漏斗: deals that reached each stage, stage-to-stage conversion, win rate, cycle."""
    require("sales.report.read")
    pipeline = db.session.get(Pipeline, args["pipeline_id"])
    if pipeline is None:
        raise NotFoundError(_("pipeline %(id)s not found", id=args["pipeline_id"]))
    return reports.funnel(current_user, pipeline, args)


@bp.route("/reports/forecast", methods=["GET"])
@bp.arguments(reports.ReportArgs, location="query", as_kwargs=False)
@bp.response(200, ForecastOut)
def forecast(args):
    """销售预测 by month and currency: open amount, weighted by win probability, and won."""
    require("sales.report.read")
    return {"months": reports.forecast(current_user, args)}
