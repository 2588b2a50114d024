"""``/api/v1/sales/deals``: deals, their CSV export, stage moves and history
(pipelines: ``pipelines``; reports: ``reports``).

Access follows core's scoped query helper: a rep sees their own deals, a
manager their team's; a deal of a customer the caller may not see is a 404.
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    CSV_RESPONSE,
    csv_export,
    db,
    expected_version,
    export_args,
    field_rules,
    json_body,
    ordered,
    page_schema,
    paginate,
    require,
    sorted_by,
)

from ..models import Deal, StageChange
from ..schemas.deals import DealArgs, DealOut, DealRowOut, MoveInput, StageChangeOut
from ..services import deals
from ..services.access import search_deals, visible_deal
from .blueprint import bp

SORTABLE = {
    "updated_at": Deal.updated_at,
    "created_at": Deal.created_at,
    "amount": Deal.amount,
    "expected_close": Deal.expected_close,
    "title": Deal.title,
}


@bp.route("/deals", methods=["GET"])
@bp.arguments(sorted_by(DealArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(DealOut, "DealPage"))
def list_deals(args):
    require("sales.deal.read")
    return paginate(search_deals(current_user, args), args, SORTABLE, "-updated_at")


@bp.route("/deals/export", methods=["GET"])
@bp.arguments(export_args(DealArgs, SORTABLE), location="query", as_kwargs=False)
@bp.doc(responses=CSV_RESPONSE)
def export_deals(args):
    """Every deal the list would show (same filters and ``sort``; newest
    change first by default), as CSV or XLSX (``format``); needs ``sales.deal.export``."""
    require("sales.deal.export")
    query = search_deals(current_user, args).options(
        joinedload(Deal.customer), joinedload(Deal.stage), joinedload(Deal.owner)
    )
    return csv_export(
        ordered(query, args.get("sort"), SORTABLE, "-updated_at"), DealRowOut(), "deals.csv"
    )


#: which stages are lost is stored, not in the document
LOST_NEEDS_A_REASON = field_rules((("stage_id", "lost_reason"), "a lost stage needs lost_reason"))


@bp.route("/deals", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": deals.DealInput}}},
    **LOST_NEEDS_A_REASON,
)
@bp.response(201, DealOut)
def create_deal():
    require("sales.deal.write")
    return deals.create_deal(json_body(), current_user)


@bp.route("/deals/<int:deal_id>", methods=["GET"])
@bp.response(200, DealOut)
def get_deal(deal_id: int):
    require("sales.deal.read")
    return visible_deal(deal_id, current_user)


@bp.route("/deals/<int:deal_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": deals.DealChange}}})
@bp.response(200, DealOut)
def update_deal(deal_id: int):
    """Edit a deal; send the ``version`` you read (409 when stale)."""
    require("sales.deal.write")
    deal = visible_deal(deal_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    return deals.update_deal(deal, payload, current_user, version)


@bp.route("/deals/<int:deal_id>/stage", methods=["POST"])
@bp.arguments(MoveInput, as_kwargs=False)
@bp.doc(**LOST_NEEDS_A_REASON)
@bp.response(200, DealOut)
def move_deal(args, deal_id: int):
    """Move the deal to another stage of its pipeline (a lost stage needs ``lost_reason``)."""
    require("sales.deal.write")
    return deals.move_stage(
        visible_deal(deal_id, current_user),
        args["stage_id"],
        current_user,
        args["version"],
        args["lost_reason"],
    )


@bp.route("/deals/<int:deal_id>/history", methods=["GET"])
@bp.response(200, StageChangeOut(many=True))
def deal_history(deal_id: int):
    """Every stage the deal entered, oldest first, with when and who."""
    require("sales.deal.read")
    deal = visible_deal(deal_id, current_user)
    return db.session.scalars(
        select(StageChange)
        .where(StageChange.deal_id == deal.id)
        .order_by(StageChange.changed_at, StageChange.id)
    ).all()
