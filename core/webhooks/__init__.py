"""Webhooks: tell another system that something happened, signed and retried.

An admin subscribes a URL to declared events (core's and every plugin's);
when a change emits one, a delivery is written in the same transaction and
sent by a job after the commit, with Stripe's kind of signature.

- :mod:`.subscriptions`: the events one may name, saving, deleting,
  switching a failing subscription off (with a notice to the admins)
- :mod:`.outbox`: a delivery per subscription, written when an event is emitted
- :mod:`.payloads`: the JSON body, built from the event's arguments
- :mod:`.deliveries`: one attempt, the retry schedule, redelivering by hand
- :mod:`.sending`: the HTTP POST; :mod:`.addresses`: the SSRF rule
- :mod:`.signing`: ``Trellis-Signature`` and how a receiver verifies it

``docs/webhooks.md`` is the receiver's side.
"""

from core.declarations import Job
from core.i18n import _l

from .deliveries import attempt, deliver, redeliver, retry_due
from .outbox import DELIVER, stage
from .signing import signature, verify
from .subscriptions import (
    MANAGE,
    SubscriptionInput,
    declared_events,
    delete_subscription,
    save_subscription,
)

#: the jobs of webhooks (the app factory registers them with core's)
WEBHOOK_JOBS = [
    Job(DELIVER, _l("Send webhooks"), deliver),
    Job("core.retry_webhooks", _l("Send the webhooks due for a retry"), retry_due, every_minutes=1),
]

__all__ = [
    "DELIVER",
    "MANAGE",
    "WEBHOOK_JOBS",
    "SubscriptionInput",
    "attempt",
    "declared_events",
    "delete_subscription",
    "deliver",
    "redeliver",
    "retry_due",
    "save_subscription",
    "signature",
    "stage",
    "verify",
]
