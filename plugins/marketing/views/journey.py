"""The customer journey on the web: the funnel across customers
(``/marketing/journey``, a cohort by when customers were created, within a
segment if asked, through the steps picked) and one customer's journey (a
tab of the customer page)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from core.api import ValidationError, db, require, translator, visible_customer

from ..models import Segment
from ..services import journey, segments
from ..services.journey import as_instants, cohort_bounds
from .blueprint import bp

_, _l = translator("marketing")


@bp.route("/journey")
@login_required
def journey_page():
    require("marketing.segment.read")
    since, until, errors = cohort_bounds(request.args)
    picked, unknown = journey.pick_steps(request.args.getlist("steps"), current_user)
    errors |= unknown
    segment_id = request.args.get("segment_id", type=int)
    condition, segment = None, None
    if segment_id:
        segment = segments.visible_segment(segment_id, current_user)
        try:
            segments.members_query(segment, current_user)  # hidden fields refused
            condition = segments.member_condition(str(segment.id), current_user)
        except ValidationError as exc:
            errors["segment_id"] = [exc.summary]
    steps = journey.funnel(current_user, *as_instants(since, until), condition, picked)
    shown = segments.visible_segments(current_user).order_by(Segment.name)
    return render_template(
        "marketing/journey.html",
        steps=steps,
        choices=journey.step_choices(current_user),
        picked=picked,
        since=since,
        until=until,
        segment=segment,
        segments=[(str(s.id), s.name) for s in db.session.scalars(shown)],
        errors=errors,
    ), 422 if errors else 200


@bp.route("/customers/<int:customer_id>/journey")
@login_required
def customer_journey(customer_id: int):
    """The customer page's Journey tab (an HTML fragment)."""
    require("marketing.segment.read")
    customer = visible_customer(customer_id, current_user)
    return render_template(
        "marketing/_customer_journey.html",
        customer=customer,
        journey=journey.customer_journey(customer, current_user),
    )
