"""``/api/v1/service/requests``: public requests waiting for review — those
whose phone is an existing customer's. A dispatcher (``service.dispatch``)
opens the work order for that customer or a new one, or dismisses the
request. Out of the caller's scope is a 404."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import or_

from core.api import (
    ListArgs,
    json_body,
    load,
    page_schema,
    paginate,
    require,
    sorted_by,
    text_contains,
    translator,
)

from ..models import ServiceRequest
from ..schemas.orders import WorkOrderDetail
from ..schemas.review import AcceptInput, ServiceRequestOut
from ..services import review
from .blueprint import bp

_, _l = translator("service_dispatch")
SORTABLE = {"created_at": ServiceRequest.created_at, "number": ServiceRequest.number}


@bp.route("/requests", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(ServiceRequestOut, "ServiceRequestPage"))
def list_requests(args):
    """The waiting requests, oldest first; ``q``: part of the number, name or phone."""
    require("service.dispatch")
    query = review.visible_requests(current_user).order_by(None)
    if args.get("q"):
        query = query.where(
            or_(
                *(
                    text_contains(column, args["q"])
                    for column in (ServiceRequest.number, ServiceRequest.name, ServiceRequest.phone)
                )
            )
        )
    return paginate(query, args, SORTABLE, "created_at")


@bp.route("/requests/<int:request_id>/accept", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": AcceptInput}}})
@bp.response(201, WorkOrderDetail)
def accept_request_api(request_id: int):
    """Open the request's work order (422 naming ``customer_id`` for a
    customer the caller may not see); the request leaves the queue."""
    require("service.dispatch")
    held = review.visible_request(request_id, current_user)
    data = load(AcceptInput(), json_body())
    return review.accept(held, data["customer_id"], current_user)


@bp.route("/requests/<int:request_id>", methods=["DELETE"])
@bp.response(204)
def dismiss_request_api(request_id: int):
    """Dismiss the request (spam, a mistake) and its photos."""
    require("service.dispatch")
    review.dismiss(review.visible_request(request_id, current_user), current_user)
