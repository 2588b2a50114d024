"""Approval pages (``approvals`` blueprint): my inbox and what I submitted,
one request with its steps and the forms to decide, the admins' flows, and
the dashboard card "Waiting for my approval". They call the same services
as ``/api/v1/approvals``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_pgettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from core import approvals as service
from core.approvals.flows import OPERATORS
from core.approvals.requests import inbox_query, live
from core.errors import ConflictError, ForbiddenError, StaleVersionError, ValidationError
from core.extensions import db
from core.i18n import _, _l
from core.models import ApprovalFlow, ApprovalRequest, Role, User
from core.models.approvals import APPROVER_KINDS
from core.registry import current_registry
from core.rest.auth import require

bp = Blueprint("approvals", __name__, url_prefix="/approvals")
#: how many step rows the flow form offers
STEP_ROWS = 5
KIND_LABELS = {
    "role": _l("Everyone holding a role"),
    "team_manager": _l("The owner's team manager"),
    "user": _l("A named user"),
    "users": _l("Any of several users"),
}
MODE_LABELS = {"any": _l("One approval is enough"), "all": _l("Every approver must approve")}
STATUS_LABELS = {
    "pending": lazy_pgettext("approval", "Waiting"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "waiting": lazy_pgettext("approval", "Waiting"),
    "delegated": _l("Handed on"),
    "skipped": _l("Not needed"),
}
OP_LABELS = {
    "gt": _l("greater than"),
    "gte": _l("at least"),
    "lt": _l("less than"),
    "lte": _l("at most"),
    "eq": _l("equal to"),
    "in": _l("one of"),
}


def _inbox():
    return inbox_query(current_user)


def _labels() -> dict[str, Any]:
    starting = current_registry().roles
    roles = db.session.scalars(select(Role.name).order_by(Role.name)).all()
    return {
        "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        "mode_labels": MODE_LABELS,
        #: role name -> what users read: a starting role's translated title
        "role_titles": {r: str(starting[r].title) if r in starting else r for r in roles},
        "field_label": field_label,
    }


def field_label(kinds: dict, record_type: str, name: str) -> str:
    """A condition field as admins read it: its declared label, else its name."""
    kind = kinds.get(record_type)
    return str(kind.field_labels.get(name, name)) if kind else name


@bp.route("/")
@login_required
def index():
    """审批: my waiting tasks, or (``?tab=submitted``) what I submitted."""
    tab = "submitted" if request.args.get("tab") == "submitted" else "inbox"
    tasks = db.session.scalars(_inbox().limit(200)).all() if tab == "inbox" else []
    submitted = (
        db.session.scalars(
            select(ApprovalRequest)
            .where(ApprovalRequest.submitted_by_id == current_user.id, live())
            .order_by(ApprovalRequest.submitted_at.desc(), ApprovalRequest.id.desc())
            .limit(200)
        ).all()
        if tab == "submitted"
        else []
    )
    return render_template(
        "core/approvals/index.html", tab=tab, tasks=tasks, submitted=submitted, **_labels()
    )


@bp.route("/widget")
@login_required
def widget():
    """The dashboard card: how many wait for me, and the first five."""
    count = db.session.scalar(select(func.count()).select_from(_inbox().subquery()))
    tasks = db.session.scalars(_inbox().limit(5)).all()
    return render_template("core/approvals/_widget.html", count=count, tasks=tasks)


@bp.route("/<int:request_id>")
@login_required
def detail(request_id: int):
    item = service.get_request(request_id, current_user)
    kind = current_registry().approvables.get(item.record_type)
    record = db.session.get(kind.model, item.record_id) if kind else None
    users = db.session.scalars(
        select(User).where(User.active.is_(True), User.deleted_at.is_(None)).order_by(User.name)
    ).all()
    mine = any(
        t.approver_id == current_user.id and t.status == "waiting" and t.position == item.position
        for t in item.tasks
    )
    return render_template(
        "core/approvals/detail.html",
        item=item,
        kind=kind,
        record_url=kind.url(record) if kind and record is not None else None,
        users=[u for u in users if u.id != current_user.id],
        mine=mine and item.status == "pending",
        names={u.id: u.name for u in users},
        **_labels(),
    )


@bp.route("/<int:request_id>/<any(approve, reject, delegate, withdraw):action>", methods=["POST"])
@login_required
def decide(request_id: int, action: str):
    item = service.get_request(request_id, current_user)
    comment = request.form.get("comment", "")
    try:
        if action == "approve":
            service.approve(item, current_user, comment)
        elif action == "reject":
            service.reject(item, current_user, comment)
        elif action == "delegate":
            raw = request.form.get("user_id", "")
            service.delegate(item, current_user, int(raw) if raw.isdigit() else None, comment)
        else:
            service.withdraw(item, current_user)
    except (ConflictError, ForbiddenError, StaleVersionError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
    else:
        flash(_("Done: %(title)s", title=item.title), "success")
    return redirect(url_for(".detail", request_id=request_id))


# ------------------------------------------------------------------------- flows


@bp.route("/flows")
@login_required
def flows():
    """审批流程: every record type's flows (``admin.approvals``)."""
    require(service.MANAGE)
    rows = db.session.scalars(
        select(ApprovalFlow)
        .where(ApprovalFlow.deleted_at.is_(None))
        .order_by(ApprovalFlow.record_type, ApprovalFlow.priority, ApprovalFlow.id)
    ).all()
    return render_template(
        "core/approvals/flows.html",
        flows=rows,
        kinds=current_registry().approvables,
        op_labels=OP_LABELS,
        **_labels(),
    )


@bp.route("/flows/new", methods=["GET", "POST"])
@bp.route("/flows/<int:flow_id>", methods=["GET", "POST"])
@login_required
def flow_form(flow_id: int | None = None):
    require(service.MANAGE)
    flow = db.session.get(ApprovalFlow, flow_id) if flow_id else None
    if flow_id and (flow is None or flow.deleted_at is not None):
        abort(404)
    errors: dict[str, list[str]] = {}
    values = _flow_values(flow) if flow else {"active": True, "priority": 100, "steps": []}
    if request.method == "POST":
        values = form_flow(request.form)
        try:
            service.save_flow(values, flow, current_user)
        except (ValidationError, StaleVersionError) as exc:
            db.session.rollback()
            errors = exc.errors if isinstance(exc, ValidationError) else {"_schema": [str(exc)]}
        else:
            flash(_("Approval flow %(name)s saved.", name=values["name"]), "success")
            return redirect(url_for(".flows"))
    return render_template(
        "core/approvals/flow_form.html",
        flow=flow,
        values=values,
        errors=errors,
        kinds=current_registry().approvables,
        users=db.session.scalars(
            select(User).where(User.active.is_(True), User.deleted_at.is_(None)).order_by(User.name)
        ).all(),
        rows=STEP_ROWS,
        approver_kinds=APPROVER_KINDS,
        operators=OPERATORS,
        op_labels=OP_LABELS,
        **_labels(),
    ), 422 if errors else 200


@bp.route("/flows/<int:flow_id>/delete", methods=["POST"])
@login_required
def flow_delete(flow_id: int):
    require(service.MANAGE)
    flow = db.session.get(ApprovalFlow, flow_id)
    if flow is not None and flow.deleted_at is None:
        service.delete_flow(flow, current_user)
        flash(_("Approval flow %(name)s deleted.", name=flow.name), "success")
    return redirect(url_for(".flows"))


def _flow_values(flow: ApprovalFlow) -> dict[str, Any]:
    return {
        "record_type": flow.record_type,
        "name": flow.name,
        "active": flow.active,
        "priority": flow.priority,
        "condition": flow.condition,
        "version": flow.version,
        "steps": [
            {
                "approver_kind": s.approver_kind,
                "role": s.role_name,
                "user_ids": s.user_ids,
                "mode": s.mode,
            }
            for s in flow.steps
        ],
    }


def form_flow(form: MultiDict[str, str]) -> dict[str, Any]:
    """The flow form as the payload ``save_flow`` reads: the condition when
    a field is chosen, a step for each row with an approver kind."""
    values: dict[str, Any] = {
        "record_type": form.get("record_type", ""),
        "name": form.get("name", "").strip(),
        "active": "active" in form,
        # not a number: passed on as typed, so the form names the field
        "priority": form.get("priority", "").strip() or 100,
        "condition": None,
        "steps": [],
    }
    if form.get("version", "").isdigit():
        values["version"] = int(form["version"])
    if form.get("condition_field"):
        op = form.get("condition_op", "eq")
        text = form.get("condition_value", "").strip()
        values["condition"] = {
            "field": form["condition_field"],
            "op": op,
            "value": [v.strip() for v in text.split(",") if v.strip()] if op == "in" else text,
        }
    for i in range(STEP_ROWS):
        kind = form.get(f"steps.{i}.approver_kind", "")
        if not kind:
            continue
        values["steps"].append(
            {
                "approver_kind": kind,
                "role": form.get(f"steps.{i}.role") or None,
                "user_ids": [int(u) for u in form.getlist(f"steps.{i}.user_ids") if u.isdigit()],
                "mode": form.get(f"steps.{i}.mode", "any"),
            }
        )
    return values
