"""Approvals under ``/api/v1/approvals``: flows (admins, ``admin.approvals``),
requests (submit, approve, reject, delegate, withdraw) and my inbox."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core import approvals as service
from core.approvals.requests import inbox_query
from core.errors import NotFoundError, ValidationError
from core.extensions import db
from core.i18n import _
from core.models import ApprovalFlow, ApprovalRequest, ApprovalTask
from core.rest.auth import require
from core.rest.customers import body
from core.rest.lists import ListArgs, page_schema, paginate, sorted_by
from core.schemas import Id, is_id

bp = Blueprint("api_approvals", __name__, description="Approvals (审批)")
MANAGE = service.MANAGE


class StepOut(Schema):
    position = fields.Integer()
    approver_kind = fields.String()
    role = fields.String(allow_none=True, attribute="role_name")
    user_ids = fields.List(fields.Integer())
    mode = fields.String()


class FlowOut(Schema):
    id = fields.Integer(required=True)
    record_type = fields.String()
    name = fields.String()
    active = fields.Boolean()
    priority = fields.Integer()
    condition = fields.Dict(allow_none=True)
    steps = fields.List(fields.Nested(StepOut))
    version = fields.Integer()


class TaskOut(Schema):
    id = fields.Integer(required=True)
    request_id = fields.Integer()
    position = fields.Integer()
    approver_id = fields.Integer()
    status = fields.String()
    comment = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    delegated_from_id = fields.Integer(allow_none=True)
    record_type = fields.String(attribute="request.record_type")
    record_id = fields.Integer(attribute="request.record_id")
    title = fields.String(attribute="request.title")


class RequestOut(Schema):
    id = fields.Integer(required=True)
    record_type = fields.String()
    record_id = fields.Integer()
    title = fields.String()
    flow_id = fields.Integer(allow_none=True)
    customer_id = fields.Integer(allow_none=True)
    status = fields.String()
    position = fields.Integer()
    steps = fields.List(fields.Dict())
    submitted_by_id = fields.Integer(allow_none=True)
    submitted_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    tasks = fields.List(fields.Nested(TaskOut))


class SubmitInput(Schema):
    record_type = fields.String(required=True, validate=validate.Length(min=1, max=64))
    record_id = Id(required=True)


class DecisionInput(Schema):
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class DelegateInput(DecisionInput):
    user_id = Id(required=True)


class RequestArgs(ListArgs):
    status = fields.String(
        validate=validate.OneOf(("pending", "approved", "rejected", "withdrawn"))
    )
    record_type = fields.String(validate=validate.Length(max=64))


REQUEST_SORT = {"submitted_at": ApprovalRequest.submitted_at, "id": ApprovalRequest.id}
FLOW_SORT = {"priority": ApprovalFlow.priority, "name": ApprovalFlow.name, "id": ApprovalFlow.id}
TASK_SORT = {"created_at": ApprovalTask.created_at, "id": ApprovalTask.id}


def _flow(flow_id: int) -> ApprovalFlow:
    flow = db.session.get(ApprovalFlow, flow_id)
    if flow is None or flow.deleted_at is not None:
        raise NotFoundError(_("approval flow %(id)s not found", id=flow_id))
    return flow


@bp.route("/flows", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, FLOW_SORT), location="query", as_kwargs=False)
@bp.response(200, page_schema(FlowOut, "ApprovalFlowPage"))
def list_flows(args):
    """The approval flows, every record type's (``admin.approvals``)."""
    require(MANAGE)
    query = select(ApprovalFlow).where(ApprovalFlow.deleted_at.is_(None))
    return paginate(query, args, FLOW_SORT, "priority")


@bp.route("/flows", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": service.FlowInput}}})
@bp.response(201, FlowOut)
def create_flow():
    """Define a flow: ordered steps, each approved by a role, the owner's
    team manager, a named user or any of several; a condition choosing it."""
    require(MANAGE)
    return service.save_flow(body(), None, current_user)


@bp.route("/flows/<int:flow_id>", methods=["GET"])
@bp.response(200, FlowOut)
def get_flow(flow_id: int):
    require(MANAGE)
    return _flow(flow_id)


@bp.route("/flows/<int:flow_id>", methods=["PUT"])
@bp.doc(requestBody={"content": {"application/json": {"schema": service.FlowInput}}})
@bp.response(200, FlowOut)
def update_flow(flow_id: int):
    """Replace a flow, its steps included (send ``version``: a stale one is a 409)."""
    require(MANAGE)
    return service.save_flow(body(), _flow(flow_id), current_user)


@bp.route("/flows/<int:flow_id>", methods=["DELETE"])
@bp.response(204)
def delete_flow(flow_id: int):
    """Delete a flow; requests already on their way keep their steps."""
    require(MANAGE)
    service.delete_flow(_flow(flow_id), current_user)


@bp.route("/requests", methods=["GET"])
@bp.arguments(sorted_by(RequestArgs, REQUEST_SORT), location="query", as_kwargs=False)
@bp.response(200, page_schema(RequestOut, "ApprovalRequestPage"))
def list_requests(args):
    """Requests you submitted or approve in (every one with ``admin.approvals``)."""
    query = service.visible_requests(current_user)
    if args.get("status"):
        query = query.where(ApprovalRequest.status == args["status"])
    if args.get("record_type"):
        query = query.where(ApprovalRequest.record_type == args["record_type"])
    return paginate(query, args, REQUEST_SORT, "-submitted_at")


@bp.route("/requests/<int:request_id>", methods=["GET"])
@bp.response(200, RequestOut)
def get_request(request_id: int):
    return service.get_request(request_id, current_user)


@bp.route("/requests", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": SubmitInput}}})
@bp.response(201, RequestOut)
def submit():
    """Submit a record for approval: it is locked until decided or withdrawn;
    with no flow for it, it is approved at once."""
    payload = body()
    record_type, record_id = payload.get("record_type"), payload.get("record_id")
    errors = {}
    if not isinstance(record_type, str) or not record_type:
        errors["record_type"] = [_("expected a record type")]
    if not is_id(record_id):
        errors["record_id"] = [_("expected the id of a record")]
    if errors:
        raise ValidationError(errors)
    return service.submit(record_type, record_id, current_user)


def _comment(payload: dict) -> str | None:
    comment = payload.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ValidationError({"comment": [_("expected a text")]})
    return comment


@bp.route("/requests/<int:request_id>/approve", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": DecisionInput}}})
@bp.response(200, RequestOut)
def approve(request_id: int):
    """Approve your waiting task (403 if none is yours, 409 if decided already)."""
    request = service.get_request(request_id, current_user)
    return service.approve(request, current_user, _comment(body()))


@bp.route("/requests/<int:request_id>/reject", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": DecisionInput}}})
@bp.response(200, RequestOut)
def reject(request_id: int):
    """Reject with a comment: the request ends rejected."""
    request = service.get_request(request_id, current_user)
    return service.reject(request, current_user, _comment(body()))


@bp.route("/requests/<int:request_id>/delegate", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": DelegateInput}}})
@bp.response(200, RequestOut)
def delegate(request_id: int):
    """Hand your waiting task to another active user."""
    request = service.get_request(request_id, current_user)
    payload = body()
    return service.delegate(request, current_user, payload.get("user_id"), _comment(payload))


@bp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
@bp.response(200, RequestOut)
def withdraw(request_id: int):
    """The submitter takes the record back while it waits."""
    request = service.get_request(request_id, current_user)
    return service.withdraw(request, current_user)


@bp.route("/inbox", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, TASK_SORT), location="query", as_kwargs=False)
@bp.response(200, page_schema(TaskOut, "ApprovalInboxPage"))
def inbox(args):
    """My waiting tasks, oldest first."""
    query = inbox_query(current_user).order_by(None)  # the list's own sort
    return paginate(query, args, TASK_SORT, "created_at")
