"""Settings → Webhooks (``/admin/webhooks``, ``admin.webhooks``): the
subscriptions — those switched off for failing shown first, with why — a
subscription's form and delivery log, and a delivery's request, response
and latency, with a button to send it again."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from core import webhooks as service
from core.errors import ConflictError, ForbiddenError, StaleVersionError, ValidationError
from core.extensions import db
from core.forms import list_page
from core.i18n import _, _l
from core.models import WebhookDelivery, WebhookSubscription
from core.models.webhooks import ALL_EVENTS, DELIVERY_STATES
from core.rest.auth import require
from core.webhooks.signing import body_of
from core.webhooks.subscriptions import INTERNAL

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
PER_PAGE = 50
STATE_LABELS = {
    "pending": _l("Waiting"),
    "sending": _l("Sending"),
    "delivered": _l("Delivered"),
    "failed": _l("Failed"),
}
STATE_TONES = {"pending": "info", "sending": "warn", "delivered": "ok", "failed": "bad"}


def _subscription(subscription_id: int) -> WebhookSubscription:
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.deleted_at is not None:
        abort(404)
    return subscription


@bp.route("/")
@login_required
def index():
    require(service.MANAGE)
    rows = db.session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.deleted_at.is_(None))
        .order_by(WebhookSubscription.name, WebhookSubscription.id)
    ).all()
    return render_template(
        "core/admin/webhooks.html",
        subscriptions=rows,
        switched_off=[s for s in rows if s.disabled_reason and not s.active],
        all_events=ALL_EVENTS,
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:subscription_id>", methods=["GET", "POST"])
@login_required
def form(subscription_id: int | None = None):
    require(service.MANAGE)
    subscription = _subscription(subscription_id) if subscription_id else None
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = (
        _values(subscription)
        if subscription
        else {"active": True, "allow_internal": False, "events": []}
    )
    status = 200
    if request.method == "POST":
        values = form_values(request.form, subscription)
        try:
            saved = service.save_subscription(values, subscription, current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors, status = exc.errors, exc.status
        except (StaleVersionError, ForbiddenError) as exc:
            db.session.rollback()
            errors, status = {"_schema": [str(exc)]}, 409
        else:
            flash(_("Webhook %(name)s saved.", name=saved.name), "success")
            return redirect(url_for(".form", subscription_id=saved.id))
    return render_template(
        "core/admin/webhook_form.html",
        subscription=subscription,
        values=values,
        errors=errors,
        events=service.declared_events(),
        all_events=ALL_EVENTS,
        may_allow_internal=current_user.can(INTERNAL),
    ), status


def _values(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "name": subscription.name,
        "url": subscription.url,
        "events": list(subscription.events),
        "active": subscription.active,
        "allow_internal": subscription.allow_internal,
        "version": subscription.version,
    }


def form_values(form: MultiDict[str, str], subscription: WebhookSubscription | None) -> dict:
    """The form as the payload ``save_subscription`` reads."""
    values: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "url": form.get("url", "").strip(),
        "events": form.getlist("events"),
        "active": "active" in form,
    }
    if current_user.can(INTERNAL):
        values["allow_internal"] = "allow_internal" in form
    if form.get("secret", "").strip():
        values["secret"] = form["secret"].strip()
    if subscription is not None and form.get("version", "").isdigit():
        values["version"] = int(form["version"])
    return values


@bp.route("/<int:subscription_id>/delete", methods=["POST"])
@login_required
def delete(subscription_id: int):
    require(service.MANAGE)
    subscription = _subscription(subscription_id)
    service.delete_subscription(subscription, current_user)
    flash(_("Webhook %(name)s deleted.", name=subscription.name), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:subscription_id>/deliveries")
@login_required
def deliveries(subscription_id: int):
    """The delivery log, newest first, filtered by status."""
    require(service.MANAGE)
    subscription = _subscription(subscription_id)
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    args = {}
    if (state := request.args.get("status")) in DELIVERY_STATES:
        query = query.where(WebhookDelivery.status == state)
        args["status"] = state
    page = list_page()
    rows = list(
        db.session.scalars(
            query.order_by(WebhookDelivery.id.desc())
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE + 1)
        )
    )
    return render_template(
        "core/admin/webhook_deliveries.html",
        subscription=subscription,
        deliveries=rows[:PER_PAGE],
        more=len(rows) > PER_PAGE,
        page=page,
        args={**args, "subscription_id": subscription.id},
        states=STATE_LABELS,
        tones=STATE_TONES,
    )


@bp.route("/deliveries/<int:delivery_id>")
@login_required
def delivery(delivery_id: int):
    """One delivery: the last attempt's request (URL, headers, body) and response."""
    require(service.MANAGE)
    found = db.session.get(WebhookDelivery, delivery_id)
    if found is None or found.subscription.deleted_at is not None:
        abort(404)
    return render_template(
        "core/admin/webhook_delivery.html",
        delivery=found,
        body=body_of(found.payload).decode(),
        states=STATE_LABELS,
        tones=STATE_TONES,
    )


@bp.route("/deliveries/<int:delivery_id>/redeliver", methods=["POST"])
@login_required
def redeliver(delivery_id: int):
    require(service.MANAGE)
    found = db.session.get(WebhookDelivery, delivery_id)
    if found is None or found.subscription.deleted_at is not None:
        abort(404)
    try:
        service.redeliver(found)
    except ConflictError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_("The delivery is sent again."), "success")
    return redirect(url_for(".delivery", delivery_id=delivery_id))
