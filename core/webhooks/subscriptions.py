"""Webhook subscriptions: the events one may name, saving (with the SSRF
rule), deleting, and switching a subscription off when it keeps failing —
with a notice to the admins.

Only a user who may also manage settings (``admin.settings``) sets
``allow_internal``; anyone else who changes the URL of such a subscription
has the new URL checked as a public one.
"""

from __future__ import annotations

import inspect as pyinspect
from dataclasses import dataclass
from datetime import datetime

from marshmallow import Schema, fields, validate
from sqlalchemy import select, update

from core.errors import ForbiddenError, ValidationError
from core.events import transaction
from core.extensions import db
from core.hookspecs import is_event
from core.i18n import _
from core.models import User, WebhookDelivery, WebhookSubscription, utcnow
from core.models.webhooks import ALL_EVENTS
from core.registry import current_registry
from core.schemas import Flag
from core.services.base import audit, check_version, load, snapshot
from core.webhooks.addresses import MAX_URL, RefusedAddress, resolve
from core.webhooks.signing import new_secret

MANAGE = "admin.webhooks"
#: what ``allow_internal`` needs besides :data:`MANAGE`
INTERNAL = "admin.settings"
#: the events a subscription may name at most (``*`` is every one)
MAX_EVENTS = 200


@dataclass(frozen=True)
class DeclaredEvent:
    """An event a subscription may name: its name, the arguments its
    payload's ``data`` holds, what it means and who declares it."""

    name: str
    arguments: tuple[str, ...]
    description: str
    declared_by: str


class SubscriptionInput(Schema):
    """A subscription as the API and the admin form send it."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    url = fields.String(required=True, validate=validate.Length(min=1, max=MAX_URL))
    events = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)),
        required=True,
        validate=validate.Length(min=1, max=MAX_EVENTS),
    )
    secret = fields.String(validate=validate.Length(min=16, max=200))
    active = Flag(load_default=True)
    allow_internal = Flag(load_default=False)
    version = fields.Integer(load_default=None, allow_none=True)


def declared_events() -> list[DeclaredEvent]:
    """Every declared event (core's and the enabled plugins'), by name."""
    hook = current_registry().pm.hook
    found = []
    for attr in dir(hook):
        caller = getattr(hook, attr)
        if not attr.startswith("trellis_") or not is_event(caller):
            continue
        doc = pyinspect.getdoc(caller.spec.function) or ""
        found.append(
            DeclaredEvent(
                attr.removeprefix("trellis_"),
                tuple(caller.spec.argnames),
                doc.split("\n\n")[0].replace("\n", " "),
                getattr(caller.spec.namespace, "__name__", "core")
                .removesuffix(".hookspecs")
                .removeprefix("plugins."),
            )
        )
    return sorted(found, key=lambda e: e.name)


def wants(subscription: WebhookSubscription, event: str) -> bool:
    return ALL_EVENTS in subscription.events or event in subscription.events


def save_subscription(
    payload: dict, subscription: WebhookSubscription | None, actor: User | None
) -> WebhookSubscription:
    """Create a subscription (``subscription`` None) or change one (a
    partial ``payload``; send ``version``). Refused naming the field: a URL
    that is not http(s) or reaches an internal address, an unknown event;
    403 when ``actor`` may not set ``allow_internal``."""
    data = load(SubscriptionInput(), payload, partial=subscription is not None)
    if subscription is not None:
        check_version(subscription, data.pop("version", None))
    data.pop("version", None)
    trusted = actor is None or actor.can(INTERNAL)
    if "allow_internal" in payload and not trusted:
        wanted = data.get("allow_internal", False)
        if wanted != (subscription.allow_internal if subscription else False):
            raise ForbiddenError(
                _("Only an administrator who manages settings may allow an internal host.")
            )
    allow = data.get("allow_internal", subscription.allow_internal if subscription else False)
    if subscription is not None and not trusted and "url" in data:
        allow = allow and data["url"].strip() == subscription.url
    _check(data, allow)
    with transaction():
        before = snapshot(subscription) if subscription is not None else None
        if subscription is None:
            subscription = WebhookSubscription(
                secret=data.get("secret") or new_secret(),
                created_by_id=actor.id if actor else None,
                consecutive_failures=0,
            )
        for key in ("name", "events", "secret"):
            if key in data:
                setattr(subscription, key, data[key])
        if "url" in data:
            subscription.url = data["url"].strip()
        subscription.allow_internal = allow
        if "active" in data:
            _set_active(subscription, data["active"], _("switched off by hand"))
        db.session.add(subscription)
        db.session.flush()
        audit(actor, subscription, "update" if before else "create", before, snapshot(subscription))
    return subscription


def _check(data: dict, allow_internal: bool) -> None:
    errors: dict[str, list[str]] = {}
    if "url" in data:
        try:
            resolve(data["url"], allow_internal)
        except RefusedAddress as exc:
            errors["url"] = [str(exc)]
    if "events" in data:
        known = {e.name for e in declared_events()}
        unknown = [e for e in data["events"] if e != ALL_EVENTS and e not in known]
        if unknown:
            errors["events"] = [
                _("no such event: %(names)s; see /api/v1/webhooks/events", names=", ".join(unknown))
            ]
    if errors:
        raise ValidationError(errors)


def _set_active(subscription: WebhookSubscription, active: bool, reason: str) -> None:
    if active and not subscription.active:
        subscription.disabled_at = subscription.disabled_reason = None
        subscription.consecutive_failures, subscription.failing_since = 0, None
    elif not active and subscription.active and subscription.id is not None:
        subscription.disabled_at, subscription.disabled_reason = utcnow(), reason
        _fail_waiting(subscription.id, reason)
    subscription.active = active


def _fail_waiting(subscription_id: int, reason: str) -> None:
    """The deliveries still waiting for a subscription that is switched off end ``failed``."""
    db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.status.in_(("pending", "sending")),
        )
        .values(status="failed", error=reason[:500], updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def delete_subscription(subscription: WebhookSubscription, actor: User | None) -> None:
    """Move a subscription to the recycle bin; what it still had to send is dropped."""
    with transaction():
        before = snapshot(subscription)
        subscription.deleted_at = utcnow()
        _set_active(subscription, False, _("the subscription was deleted"))
        audit(actor, subscription, "delete", before, snapshot(subscription))


def disable(subscription_id: int, reason: str, now: datetime) -> bool:
    """Switch a failing subscription off, once (two workers may both try):
    its waiting deliveries fail and every admin who manages webhooks is
    e-mailed. Whether this call did it. Commits."""
    done = db.session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == subscription_id, WebhookSubscription.active.is_(True))
        .values(
            active=False,
            disabled_at=now,
            disabled_reason=reason[:500],
            version=WebhookSubscription.version + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        db.session.rollback()
        return False
    _fail_waiting(subscription_id, reason)
    subscription = db.session.get(WebhookSubscription, subscription_id, populate_existing=True)
    assert subscription is not None
    _notify_admins(subscription, reason)
    db.session.commit()
    return True


def _notify_admins(subscription: WebhookSubscription, reason: str) -> None:
    from core.messaging import send_message  # messaging's jobs import much of core

    admins = db.session.scalars(
        select(User).where(User.active.is_(True), User.deleted_at.is_(None))
    ).all()
    for admin in admins:
        if not admin.can(MANAGE):
            continue
        send_message(
            "email",
            admin.email,
            _(
                "The webhook %(name)s (%(url)s) was switched off: %(reason)s. Fix the "
                "receiver, then switch it on again under Settings → Webhooks.",
                name=subscription.name,
                url=subscription.url,
                reason=reason,
            ),
            subject=_("Webhook switched off: %(name)s", name=subscription.name),
            purpose="webhook_disabled",
        )
