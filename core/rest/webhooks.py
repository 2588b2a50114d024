"""Webhooks under ``/api/v1/webhooks`` (``admin.webhooks``): subscriptions,
their delivery log, a delivery's request and response, redelivering, and
the events a subscription may name. ``docs/webhooks.md`` is the receiver's side."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core import webhooks as service
from core.errors import NotFoundError
from core.extensions import db
from core.i18n import _
from core.models import WebhookDelivery, WebhookSubscription
from core.models.webhooks import DELIVERY_STATES
from core.rest.auth import require
from core.rest.customers import body
from core.rest.lists import ListArgs, page_schema, paginate, sorted_by
from core.rest.openapi import field_rules

bp = Blueprint("api_webhooks", __name__, description="Webhooks: subscriptions and deliveries")
MANAGE = service.MANAGE


class SubscriptionOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String()
    url = fields.String()
    secret = fields.String(metadata={"description": "signs each delivery (Trellis-Signature)"})
    events = fields.List(fields.String())
    active = fields.Boolean()
    allow_internal = fields.Boolean()
    consecutive_failures = fields.Integer()
    failing_since = fields.DateTime(allow_none=True)
    disabled_at = fields.DateTime(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer()


class DeliveryOut(Schema):
    id = fields.Integer(required=True)
    subscription_id = fields.Integer()
    event = fields.String()
    key = fields.String(metadata={"description": "the idempotency key (Trellis-Delivery)"})
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    retry_until = fields.DateTime()
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    latency_ms = fields.Integer(allow_none=True)
    last_attempt_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class RequestOut(Schema):
    url = fields.String(attribute="subscription.url")
    headers = fields.Dict(attribute="request_headers", allow_none=True)
    body = fields.Dict(attribute="payload")


class ResponseOut(Schema):
    status_code = fields.Integer(allow_none=True)
    body_excerpt = fields.String(attribute="response_excerpt", allow_none=True)
    error = fields.String(allow_none=True)
    latency_ms = fields.Integer(allow_none=True)


class DeliveryDetailOut(DeliveryOut):
    request = fields.Function(lambda d: RequestOut().dump(d))
    response = fields.Function(lambda d: ResponseOut().dump(d))


class WebhookEventOut(Schema):
    name = fields.String()
    arguments = fields.List(fields.String())
    description = fields.String()
    declared_by = fields.String()


class DeliveryArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(DELIVERY_STATES))
    event = fields.String(validate=validate.Length(max=100))


#: what the service checks beyond the schema (422 naming the field)
RULES = field_rules(
    (
        ("url",),
        "an http(s) URL whose host resolves only to public addresses, unless allow_internal",
    ),
    (("events",), "declared event names (GET /api/v1/webhooks/events) or *"),
)
SUBSCRIPTION_SORT = {"name": WebhookSubscription.name, "created_at": WebhookSubscription.created_at}
DELIVERY_SORT = {"created_at": WebhookDelivery.created_at, "status": WebhookDelivery.status}


def subscription_of(subscription_id: int) -> WebhookSubscription:
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.deleted_at is not None:
        raise NotFoundError(_("webhook subscription %(id)s not found", id=subscription_id))
    return subscription


def delivery_of(delivery_id: int) -> WebhookDelivery:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription.deleted_at is not None:
        raise NotFoundError(_("webhook delivery %(id)s not found", id=delivery_id))
    return delivery


@bp.route("/events", methods=["GET"])
@bp.response(200, WebhookEventOut(many=True))
def events():
    """The declared events (core's and the enabled plugins') a subscription
    may name, with the arguments its payload's ``data`` holds; ``*`` names all."""
    require(MANAGE)
    return service.declared_events()


@bp.route("/subscriptions", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, SUBSCRIPTION_SORT), location="query", as_kwargs=False)
@bp.response(200, page_schema(SubscriptionOut, "WebhookSubscriptionPage"))
def list_subscriptions(args):
    require(MANAGE)
    query = select(WebhookSubscription).where(WebhookSubscription.deleted_at.is_(None))
    if args.get("q"):
        query = query.where(WebhookSubscription.name.contains(args["q"], autoescape=True))
    return paginate(query, args, SUBSCRIPTION_SORT, "name")


@bp.route("/subscriptions", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": service.SubscriptionInput}}}, **RULES
)
@bp.response(201, SubscriptionOut)
def create_subscription():
    """Subscribe ``url`` to ``events``. The URL must be http(s) and reach a
    public address (422 naming ``url``) unless ``allow_internal``, which
    needs ``admin.settings`` too; without ``secret`` one is made."""
    require(MANAGE)
    return service.save_subscription(body(), None, current_user)


@bp.route("/subscriptions/<int:subscription_id>", methods=["GET"])
@bp.response(200, SubscriptionOut)
def get_subscription(subscription_id: int):
    require(MANAGE)
    return subscription_of(subscription_id)


@bp.route("/subscriptions/<int:subscription_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": service.SubscriptionInput}}}, **RULES
)
@bp.response(200, SubscriptionOut)
def update_subscription(subscription_id: int):
    """Change some fields (send ``version``: a stale one is a 409).
    ``active: true`` switches a subscription that was switched off on again."""
    require(MANAGE)
    return service.save_subscription(body(), subscription_of(subscription_id), current_user)


@bp.route("/subscriptions/<int:subscription_id>", methods=["DELETE"])
@bp.response(204)
def delete_subscription(subscription_id: int):
    """Delete a subscription; what it still had to send is dropped."""
    require(MANAGE)
    service.delete_subscription(subscription_of(subscription_id), current_user)


@bp.route("/subscriptions/<int:subscription_id>/deliveries", methods=["GET"])
@bp.arguments(sorted_by(DeliveryArgs, DELIVERY_SORT), location="query", as_kwargs=False)
@bp.response(200, page_schema(DeliveryOut, "WebhookDeliveryPage"))
def list_deliveries(args, subscription_id: int):
    """A subscription's delivery log, newest first."""
    require(MANAGE)
    subscription = subscription_of(subscription_id)
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    for key in ("status", "event"):
        if args.get(key):
            query = query.where(getattr(WebhookDelivery, key) == args[key])
    return paginate(query, args, DELIVERY_SORT, "-created_at")


@bp.route("/deliveries/<int:delivery_id>", methods=["GET"])
@bp.response(200, DeliveryDetailOut)
def get_delivery(delivery_id: int):
    """A delivery with its last attempt's request (URL, headers, body) and response."""
    require(MANAGE)
    return delivery_of(delivery_id)


@bp.route("/deliveries/<int:delivery_id>/redeliver", methods=["POST"])
@bp.response(202, DeliveryOut)
def redeliver(delivery_id: int):
    """Send a delivery again, with the same idempotency key and a new day of
    retries (409 while its subscription is switched off)."""
    require(MANAGE)
    return service.redeliver(delivery_of(delivery_id))
