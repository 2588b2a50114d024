"""``/api/v1/service``: an order's revisit (回访) and the SLA report — the
same service and figures as the order page and ``/service/reports``."""

from __future__ import annotations

from flask_login import current_user

from core.api import NotFoundError, expected_version, json_body, require, translator

from ..schemas.reports import RevisitBody, RevisitOut, SlaReportOut
from ..services import reports, revisits
from ..services.access import visible_order
from .blueprint import bp

_, _l = translator("service_dispatch")


@bp.route("/work-orders/<int:order_id>/revisit", methods=["GET"])
@bp.response(200, RevisitOut)
def get_revisit(order_id: int):
    """The order's revisit (404 when it has none yet)."""
    require("service.order.read")
    revisit = revisits.revisit_of(visible_order(order_id, current_user))
    if revisit is None:
        raise NotFoundError(_("work order %(id)s has no revisit yet", id=order_id))
    return revisit


@bp.route("/work-orders/<int:order_id>/revisit", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": RevisitBody}}},
    responses={
        "409": {
            "description": "the order is not completed or closed, was already "
            "revisited, or the version is stale"
        }
    },
)
@bp.response(201, RevisitOut)
def post_revisit(order_id: int):
    """回访: the customer's score (1–5) and comment on a completed or closed order.
    A low score reopens or escalates the order; a good one closes a completed order."""
    require("service.order.write")
    order = visible_order(order_id, current_user)
    body = json_body()
    return revisits.record_revisit(
        order, body.get("score"), body.get("comment"), current_user, expected_version(body)
    )


@bp.route("/reports/sla", methods=["GET"])
@bp.arguments(reports.ReportArgs, location="query", as_kwargs=False)
@bp.response(200, SlaReportOut)
def sla_report(args):
    """SLA compliance, first-time fix, mean times, utilisation, repeat visits,
    satisfaction, and the overdue and at-risk orders (see ``reports``)."""
    require("service.report.read")
    return reports.sla_report(current_user, args)
