"""``/api/v1/marketing/journeys``: the journey funnel of a cohort of
customers (``journeys``) and one customer's journey
(``journeys/{customer_id}``), as the caller sees them; the account
managers' figures (``kpis``)."""

from __future__ import annotations

from flask_login import current_user

from core.api import NotFoundError, ValidationError, require, visible_customer

from ..schemas.journey import (
    MarketingFunnelOut,
    MarketingJourneyArgs,
    MarketingJourneyOut,
    MarketingKpiArgs,
    MarketingKpiOut,
)
from ..services import journey, kpis, segments
from ..services.journey import as_instants, cohort_bounds
from . import bp


@bp.route("/journeys", methods=["GET"])
@bp.arguments(MarketingJourneyArgs, location="query", as_kwargs=False)
@bp.response(200, MarketingFunnelOut)
def funnel(args):
    """Known → contacted → bought → bought again, for the customers the
    caller sees created in the period: each step with its count, the share
    of the step before and the drop-off."""
    require("marketing.segment.read")
    since, until, errors = cohort_bounds(
        {k: args[k].isoformat() for k in ("since", "until") if args.get(k)}
    )
    if errors:
        raise ValidationError(errors)
    condition = None
    if args.get("segment_id"):
        try:
            condition = segments.member_condition(str(args["segment_id"]), current_user)
        except ValidationError as exc:
            raise ValidationError({"segment_id": [exc.summary]}) from exc
        except NotFoundError as exc:  # a query's id: a bad value, as the list's filter says
            raise ValidationError({"segment_id": [str(exc)]}) from exc
    return {
        "since": since,
        "until": until,
        "segment_id": args.get("segment_id"),
        "steps": journey.funnel(current_user, *as_instants(since, until), condition),
    }


@bp.route("/journeys/<int:customer_id>", methods=["GET"])
@bp.response(200, MarketingJourneyOut)
def customer_journey(customer_id: int):
    """A customer's steps with the date each was reached, and the
    touchpoints by month (only the timeline entries the caller may see)."""
    require("marketing.segment.read")
    customer = visible_customer(customer_id, current_user)
    found = journey.customer_journey(customer, current_user)
    months = [{"month": m["month"], "kinds": dict(m["kinds"])} for m in found["months"]]
    return {"customer_id": customer.id, "steps": found["steps"], "months": months}


@bp.route("/kpis", methods=["GET"])
@bp.arguments(MarketingKpiArgs, location="query", as_kwargs=False)
@bp.response(200, MarketingKpiOut)
def account_manager_figures(args):
    """The account managers' four figures for the period, per manager or
    team, over the customers the caller sees: average customer value,
    prospect conversion, valuable customers at risk, data completeness."""
    require("marketing.segment.read")
    since, until, errors = cohort_bounds(
        {k: args[k].isoformat() for k in ("since", "until") if args.get(k)}
    )
    if errors:
        raise ValidationError(errors)
    rows = kpis.figures(current_user, *as_instants(since, until), by=args["by"])
    return {"since": since, "until": until, "by": args["by"], "rows": rows}
