"""Writing deliveries in the transaction of the change.

:func:`core.events.emit` calls :func:`stage` (registered with
:func:`~core.events.on_emit`) for every event it queues: a
``webhook_delivery`` row is added for each active subscription that wants
the event, in the caller's session — a rolled-back change writes none. The
rows are sent by the ``core.deliver_webhooks`` job, queued with
:func:`~core.jobs.enqueue_after_commit`: through the job outbox with the
change when a queue runs, right after the commit in immediate mode (tests).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.events import on_emit, read_once
from core.extensions import db
from core.jobs import enqueue_after_commit
from core.models import WebhookDelivery, WebhookSubscription, utcnow
from core.webhooks.payloads import build
from core.webhooks.subscriptions import wants

DELIVER = "core.deliver_webhooks"
#: how long a delivery is retried after its first try
RETRY_FOR = timedelta(hours=24)


@on_emit
def stage(event_name: str, kwargs: dict[str, Any]) -> list[WebhookDelivery]:
    """Add a delivery of ``event_name`` for each active subscription that wants it."""
    subscriptions = [s for s in _active() if wants(s, event_name)]
    if not subscriptions:
        return []
    now = utcnow()
    deliveries = []
    for subscription in subscriptions:
        key = str(uuid.uuid4())
        deliveries.append(
            WebhookDelivery(
                subscription_id=subscription.id,
                event=event_name,
                key=key,
                payload=build(event_name, kwargs, key, subscription.created_by),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                retry_until=now + RETRY_FOR,
            )
        )
    db.session.add_all(deliveries)
    db.session.flush()
    send_after_commit([d.id for d in deliveries])
    return deliveries


def _active() -> list[WebhookSubscription]:
    """The active subscriptions, read once per transaction (:func:`read_once`)."""
    return read_once(
        "webhook_subscriptions",
        lambda: list(
            db.session.scalars(
                select(WebhookSubscription).where(
                    WebhookSubscription.active.is_(True), WebhookSubscription.deleted_at.is_(None)
                )
            )
        ),
        WebhookSubscription,
    )


def send_after_commit(ids: list[int]) -> None:
    """Have deliveries ``ids`` sent once the caller's transaction commits."""
    if ids:
        enqueue_after_commit(DELIVER, delivery_ids=ids)
