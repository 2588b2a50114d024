"""``/api/v1/marketing``: RFM and churn risk.

- ``rfm`` — the latest finished run and its RFM segments' counts
  (``segment_id``: only a marketing segment's members)
- ``rfm/customers`` — a page of customers with their scores
  (``rfm_segment``: one RFM segment's)
- ``rfm/movement`` — customers by their segment at two runs (``from_run``,
  ``to_run``: runs whose snapshot is kept)
- ``rfm/runs`` — the run log; ``POST`` runs the analysis now
- ``churn`` — the valuable customers at risk, by account manager
  (``owner_id``, ``min_score``)

Every figure counts only the customers the caller may see. Reading takes
``marketing.segment.read`` (and ``customer.read`` for lists of customers);
running takes ``marketing.analysis.run``.
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from core.api import (
    Customer,
    ListArgs,
    ValidationError,
    page_schema,
    paginate,
    require,
    search_match,
    sorted_by,
    translator,
)

from ..models import RfmRun, RfmScore
from ..schemas.rfm import (
    MarketingChurnArgs,
    MarketingRfmArgs,
    MarketingRfmCustomerArgs,
    MarketingRfmCustomerOut,
    MarketingRfmMovementArgs,
    MarketingRfmMovementOut,
    MarketingRfmRunOut,
    MarketingRfmSummaryOut,
)
from ..services import churn, rfm, segments
from ..services.rfm import reads
from ..services.rfm.grid import SEGMENTS, segment_label
from . import bp

_, _l = translator("marketing")

CUSTOMER_SORTABLE = {
    "name": Customer.name,
    "recency_days": RfmScore.recency_days,
    "frequency": RfmScore.frequency,
    "monetary": RfmScore.monetary,
    "churn_score": RfmScore.churn_score,
}
RUN_SORTABLE = {"id": RfmRun.id}
CUSTOMER_PAGE = page_schema(MarketingRfmCustomerOut, "MarketingRfmCustomerPage")


def _members(args: dict):
    """The customer ids of the marketing segment ``segment_id`` names, if any."""
    if not args.get("segment_id"):
        return None
    segment = segments.visible_segment(args["segment_id"], current_user)
    return segments.members_query(segment, current_user).with_only_columns(Customer.id)


def _page(query, args: dict, default: str) -> dict:
    """A page of scores as rows (each with its churn reasons in words)."""
    if query is None:  # no finished run yet
        return {"items": [], "page": args["page"], "per_page": args["per_page"], "total": 0}
    found = paginate(reads.with_customers(query), args, CUSTOMER_SORTABLE, default)
    return {**found, "items": [churn.customer_row(score) for score in found["items"]]}


@bp.route("/rfm", methods=["GET"])
@bp.arguments(MarketingRfmArgs, location="query", as_kwargs=False)
@bp.response(200, MarketingRfmSummaryOut)
def rfm_summary(args):
    """The latest run's RFM segments, with how many of the caller's customers are in each."""
    require("marketing.segment.read")
    run = reads.latest_run()
    counts = reads.segment_counts(run, current_user, _members(args))
    return {
        "run": run,
        "segments": [
            {"segment": k, "label": segment_label(k), "count": n} for k, n in counts.items()
        ],
        "total": sum(counts.values()),
    }


@bp.route("/rfm/customers", methods=["GET"])
@bp.arguments(
    sorted_by(MarketingRfmCustomerArgs, CUSTOMER_SORTABLE), location="query", as_kwargs=False
)
@bp.response(200, CUSTOMER_PAGE)
def rfm_customers(args):
    """A page of the caller's customers scored by the latest run."""
    require("marketing.segment.read")
    require("customer.read")
    wanted = args.get("rfm_segment")
    if wanted and wanted not in SEGMENTS:
        raise ValidationError({"rfm_segment": [_("Not an RFM segment.")]})
    run = reads.latest_run()
    query = None
    if run is not None:
        query = reads.scored(run, current_user)
        if wanted:
            query = query.where(RfmScore.segment == wanted)
        if args.get("q"):
            query = query.where(search_match(Customer, args["q"], current_user))
    return _page(query, args, "name")


@bp.route("/rfm/movement", methods=["GET"])
@bp.arguments(MarketingRfmMovementArgs, location="query", as_kwargs=False)
@bp.doc(responses={"404": {"description": "a run not found, or its snapshot no longer kept"}})
@bp.response(200, MarketingRfmMovementOut)
def rfm_movement(args):
    """How the caller's customers moved between the segments of two runs."""
    require("marketing.segment.read")
    first, second = reads.kept_run(args["from_run"]), reads.kept_run(args["to_run"])
    moves = reads.movement(first, second, current_user)
    return {"from_run": first.id, "to_run": second.id, "moves": reads.movement_rows(moves)}


@bp.route("/rfm/runs", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, RUN_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(MarketingRfmRunOut, "MarketingRfmRunPage"))
def rfm_runs(args):
    """The run log, newest first: state, progress, what each run read."""
    require("marketing.segment.read")
    return paginate(select(RfmRun), args, RUN_SORTABLE, "-id")


@bp.route("/rfm/runs", methods=["POST"])
@bp.doc(responses={"409": {"description": "a run is already under way"}})
@bp.response(202, MarketingRfmRunOut)
def start_rfm_run():
    """Run the analysis now (in the background; follow it in the run log)."""
    require("marketing.analysis.run")
    return rfm.start_run(current_user)


@bp.route("/churn", methods=["GET"])
@bp.arguments(sorted_by(MarketingChurnArgs, CUSTOMER_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, CUSTOMER_PAGE)
def churn_list(args):
    """The valuable customers at risk the caller may see: a churn score of
    at least ``min_score`` and a monetary score of 4 or 5, by account
    manager, riskiest first (``sort`` replaces that order)."""
    require("marketing.segment.read")
    require("customer.read")
    run = reads.latest_run()
    query = None
    if run is not None:
        query = churn.at_risk_query(run, current_user, args["min_score"], args.get("owner_id"))
        if args.get("sort"):
            query = query.order_by(None)
    return _page(query, args, "-churn_score")
