"""Activities on the web: the quick actions of the customer page (log a
call, add a note, plan a follow-up) answered with the refreshed timeline,
and "My tasks" — the user's due list, where a task is marked done."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_login import current_user, login_required

from core import forms
from core.errors import ValidationError
from core.extensions import db
from core.followups import due_list
from core.i18n import _
from core.models import Activity, Customer
from core.rest.auth import require
from core.rest.customers import filtered
from core.services import activities as activity_service
from core.web.customers import visible_customer

bp = Blueprint("activities", __name__)
tasks_bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.route("/customers/<int:customer_id>/activities", methods=["POST"])
@login_required
def log(customer_id: int):
    """A quick action: log a call, add a note or plan a follow-up (a task)."""
    require("customer.write")
    customer = visible_customer(customer_id)
    form = request.form
    kind = form.get("kind", "")
    if kind not in ("call", "note", "task"):
        abort(400)
    payload = {
        "kind": kind,
        "subject": form.get("subject", "").strip(),
        "body": form.get("body", "").strip() or None,
        "customer_id": customer.id,
        "contact_id": form.get("contact_id", type=int),
    }
    if kind == "call":
        payload["direction"] = (
            form.get("direction") if form.get("direction") in ("in", "out") else None
        )
    if kind == "task":
        payload["due_at"] = forms.local_datetime(form.get("due_at")) or ""
    error = message = None
    try:
        activity_service.log_activity(payload, current_user)
        message = {
            "call": _("Call logged."),
            "note": _("Note added."),
            "task": _("Follow-up planned."),
        }[kind]
    except ValidationError as exc:
        db.session.rollback()
        error = "; ".join(f"{field_label(k)}: {' '.join(v)}" for k, v in exc.errors.items())
    if not request.headers.get("HX-Request"):
        flash(cast(str, error or message), "error" if error else "success")  # one is set
        return redirect(url_for("customers.detail", customer_id=customer.id, tab="timeline"))
    return timeline_fragment(customer.id, error=error, message=message)


def field_label(key: str) -> str:
    return {"subject": _("Summary"), "due_at": _("Due"), "body": _("Details")}.get(key, key)


def timeline_fragment(customer_id: int, **notes):
    timeline = activity_service.visible_timeline(Activity.customer_id, customer_id, current_user)
    return render_template(
        "core/_timeline.html",
        timeline=timeline,
        timeline_error=notes.get("error"),
        timeline_message=notes.get("message"),
    )


@tasks_bp.route("/")
@login_required
def index():
    tasks = due_list([current_user.id], upcoming_days=30, tz=get_timezone())
    return render_template("core/tasks.html", tasks=tasks)


@tasks_bp.route("/<int:task_id>/complete", methods=["POST"])
@login_required
def complete(task_id: int):
    """Mark a task done: the user's own, or one on a customer they may edit."""
    task = db.session.get(Activity, task_id)
    if task is None or task.deleted_at is not None:
        abort(404)
    customer_visible = (
        task.customer_id is not None
        and db.session.scalar(filtered({}).where(Customer.id == task.customer_id)) is not None
    )
    if task.owner_id != current_user.id and not (
        customer_visible and current_user.can("customer.write")
    ):
        abort(404)
    activity_service.complete_task(task, current_user, request.form.get("outcome") or None)
    if (
        request.headers.get("HX-Request")
        and request.args.get("back") == "timeline"
        and customer_visible
    ):
        return timeline_fragment(
            cast(int, task.customer_id),  # customer_visible: not None
            message=_("Task done."),
        )
    flash(_("Task done."), "success")
    return redirect(request.referrer if request.referrer else url_for(".index"))
