"""``/api/v1/sales``: pipelines, deals and stage moves (reports: ``rest_reports``).

Access follows core's scoped query helper: a rep sees their own deals, a
manager their team's; a deal of a customer the caller may not see is a 404.
"""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    CSV_RESPONSE, ApiBlueprint, ListArgs, NotFoundError, csv_export, db, expected_version,
    json_body, page_schema, paginate, require, translator,
)

from . import services
from .access import search_deals, visible_deal
from .models import Deal, Pipeline, StageChange

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


@bp.route("/pipelines/<int:pipeline_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": services.PipelineChange}}})
@bp.response(200, PipelineOut)
def update_pipeline(pipeline_id: int):
    """Rename the pipeline or its stages, or change a stage's win probability
    (send the ``version`` you read; the order and the outcomes stay)."""
    require("sales.admin")
    pipeline = db.session.get(Pipeline, pipeline_id)
    if pipeline is None:
        raise NotFoundError(_("pipeline %(id)s not found", id=pipeline_id))
    payload = json_body()
    version = expected_version(payload)
    return services.update_pipeline(pipeline, payload, current_user, version)


@bp.route("/deals", methods=["GET"])
@bp.arguments(DealArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(DealOut, "DealPage"))
def list_deals(args):
    require("sales.deal.read")
    return paginate(search_deals(current_user, args), args, SORTABLE, "-updated_at")


@bp.route("/deals/export", methods=["GET"])
@bp.arguments(DealArgs, location="query", as_kwargs=False)
@bp.doc(responses=CSV_RESPONSE)
def export_deals(args):
    """Every deal the list would show (same filters), as CSV, newest change
    first; needs ``sales.deal.export``."""
    require("sales.deal.export")
    query = search_deals(current_user, args).options(
        joinedload(Deal.customer), joinedload(Deal.stage), joinedload(Deal.owner))
    return csv_export(query.order_by(Deal.updated_at.desc(), Deal.id.desc()), DealRowOut(),
                      "deals.csv")


@bp.route("/deals", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": services.DealInput}}})
@bp.response(201, DealOut)
def create_deal():
    require("sales.deal.write")
    return services.create_deal(json_body(), current_user)


@bp.route("/deals/<int:deal_id>", methods=["GET"])
@bp.response(200, DealOut)
def get_deal(deal_id: int):
    require("sales.deal.read")
    return visible_deal(deal_id, current_user)


@bp.route("/deals/<int:deal_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": services.DealChange}}})
@bp.response(200, DealOut)
def update_deal(deal_id: int):
    """Edit a deal; send the ``version`` you read (409 when stale)."""
    require("sales.deal.write")
    deal = visible_deal(deal_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    return services.update_deal(deal, payload, current_user, version)


@bp.route("/deals/<int:deal_id>/stage", methods=["POST"])
@bp.arguments(MoveInput, as_kwargs=False)
@bp.response(200, DealOut)
def move_deal(args, deal_id: int):
    """Move the deal to another stage of its pipeline (a lost stage needs ``lost_reason``)."""
    require("sales.deal.write")
    return services.move_stage(visible_deal(deal_id, current_user), args["stage_id"], current_user,
                               args["version"], args["lost_reason"])


@bp.route("/deals/<int:deal_id>/history", methods=["GET"])
@bp.response(200, StageChangeOut(many=True))
def deal_history(deal_id: int):
    """Every stage the deal entered, oldest first, with when and who."""
    require("sales.deal.read")
    deal = visible_deal(deal_id, current_user)
    return db.session.scalars(select(StageChange).where(StageChange.deal_id == deal.id)
                              .order_by(StageChange.changed_at, StageChange.id)).all()
