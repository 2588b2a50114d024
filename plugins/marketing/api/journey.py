"""``/api/v1/marketing/journeys``: the journey funnel of a cohort of
customers (``journeys``) and one customer's journey
(``journeys/{customer_id}``), as the caller sees them; the account
managers' figures (``kpis``)."""

from __future__ import annotations

from flask_login import current_user

from core.api import NotFoundError, ValidationError, field_rules, require, visible_customer

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

#: what JSON Schema cannot say of the funnel's query (each a 422 naming its fields)
FUNNEL_RULES = field_rules(
    (("since", "until"), "until is not before since"),
    (("segment_id",), "a segment the caller may see"),
    (("steps",), "steps the caller may see: the shared ones and those plugins declare"),
)


@bp.route("/journeys", methods=["GET"])
@bp.arguments(MarketingJourneyArgs, location="query", as_kwargs=False)
@bp.doc(**FUNNEL_RULES)
@bp.response(200, MarketingFunnelOut)
def funnel(args):
    """The journey's steps (known → contacted → the steps plugins declare →
    bought → bought again, or those in ``steps``), in their order, for the
    customers the caller sees created in the period: each step with how
    many reached it and every step before, the share of the step before
    and the drop-off."""
    require("marketing.segment.read")
    since, until, errors = cohort_bounds(
        {k: args[k].isoformat() for k in ("since", "until") if args.get(k)}
    )
    steps, unknown = journey.pick_steps(args.get("steps") or (), current_user)
    errors |= unknown
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
        "steps": journey.funnel(current_user, *as_instants(since, until), condition, steps),
    }


@bp.route("/journeys/<int:customer_id>", methods=["GET"])
@bp.response(200, MarketingJourneyOut)
def customer_journey(customer_id: int):
    """A customer's steps — those every industry shares and those plugins
    declare, as far as the caller may see them — in their order, with the
    date each was first reached, and the touchpoints by month (only the
    timeline entries the caller may see)."""
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
