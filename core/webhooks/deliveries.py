"""Sending deliveries, a few at a time, retried on a schedule.

:func:`send` claims the due ones of a few deliveries — one ``UPDATE …
WHERE status is waiting AND due``, so of two workers only one gets each —
POSTs each once, signed (:mod:`.signing`), to an address the SSRF rule
allows (:mod:`.sending`), and settles them in one commit. A 2xx answer is
``delivered``; anything else, a timeout or a connection error is retried
after 1, 2, 4 … minutes (at most :data:`MAX_BACKOFF`) until a day after the
first try, then ``failed``. While claimed a delivery is ``sending``, its
``next_attempt_at`` the end of the claim: a worker that died mid-way lets
:func:`retry_due` (the periodic job, every minute) take it again — the
receiver may then get it twice, with the same idempotency key.

A subscription whose deliveries keep failing is switched off — after
:data:`DISABLE_AFTER` failed deliveries in a row, or :data:`FAILING_FOR`
without one success — and the admins are told
(:func:`~.subscriptions.disable`). :func:`redeliver` sends a delivery again
by hand, with the same idempotency key.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from core import __version__
from core.errors import ConflictError
from core.extensions import db
from core.i18n import _
from core.models import WebhookDelivery, WebhookSubscription, utcnow
from core.webhooks.outbox import RETRY_FOR, send_after_commit
from core.webhooks.sending import post, timeout
from core.webhooks.signing import body_of, signature
from core.webhooks.subscriptions import disable

FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
#: failed deliveries in a row, or time without a success, that switch a subscription off
DISABLE_AFTER = 20
FAILING_FOR = timedelta(hours=24)
#: deliveries the periodic job takes per query, and how long it keeps going
BATCH = 200
#: deliveries claimed, sent and settled together (a worker that dies mid-way sends
#: at most these again: receivers drop repeats by their idempotency key)
CHUNK = 20
BUDGET = timedelta(seconds=50)
WAITING = ("pending", "sending")


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1 min, 2, 4 … capped."""
    return min(FIRST_BACKOFF * 2 ** min(max(attempts - 1, 0), 16), MAX_BACKOFF)


def deliver(delivery_ids: list[int]) -> str:
    """The job: try each of ``delivery_ids`` once; how many went."""
    outcomes: list[str] = []
    for i in range(0, len(delivery_ids), CHUNK):
        outcomes += send(delivery_ids[i : i + CHUNK]).values()
    return f"{outcomes.count('delivered')} of {len(delivery_ids)} webhooks delivered"


def attempt(delivery_id: int, now: datetime | None = None) -> str:
    """Try delivery ``delivery_id`` once if it is due at ``now``; what happened."""
    return send([delivery_id], now).get(delivery_id, "nothing to send")


@dataclass(frozen=True)
class _Claimed:
    id: int
    key: str
    event: str
    payload: dict
    attempts: int
    retry_until: datetime
    subscription_id: int
    url: str
    secret: str
    allow_internal: bool
    live: bool


def send(delivery_ids: list[int], now: datetime | None = None) -> dict[int, str]:
    """Claim those of ``delivery_ids`` due at ``now`` (one ``UPDATE … WHERE
    status is waiting AND due``: of two workers, one gets each row), POST
    each once, then settle them all in one commit; what happened to each
    claimed one (``delivered``, ``retry``, ``failed``)."""
    now = now or utcnow()
    claimed = _claim(delivery_ids, now)
    outcomes: dict[int, str] = {}
    settled: list[tuple[_Claimed, dict]] = []
    for row in claimed:
        if not row.live:
            settled.append(
                (row, {"status": "failed", "error": _("the subscription is switched off")})
            )
            outcomes[row.id] = "failed"
            continue
        values = _post(row)
        if values["status_code"] is not None and 200 <= values["status_code"] < 300:
            values.update(status="delivered", delivered_at=now, next_attempt_at=now)
            outcomes[row.id] = "delivered"
        else:
            wait = now + backoff(row.attempts)
            final = wait > row.retry_until
            values.update(status="failed" if final else "pending", next_attempt_at=wait)
            outcomes[row.id] = "failed" if final else "retry"
        settled.append((row, values))
    if settled:
        _settle(settled, outcomes, now)
    return outcomes


def _claim(delivery_ids: list[int], now: datetime) -> list[_Claimed]:
    lease = now + timedelta(seconds=2 * timeout() + 30)
    ids = list(
        db.session.scalars(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_(delivery_ids),
                WebhookDelivery.status.in_(WAITING),
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(
                status="sending",
                attempts=WebhookDelivery.attempts + 1,
                next_attempt_at=lease,
                last_attempt_at=now,
                updated_at=now,
            )
            .returning(WebhookDelivery.id)
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    if not ids:
        return []
    rows = db.session.execute(
        select(WebhookDelivery, WebhookSubscription)
        .join(WebhookSubscription)
        .where(WebhookDelivery.id.in_(ids))
        .order_by(WebhookDelivery.id)
    ).all()
    claimed = [
        _Claimed(
            d.id,
            d.key,
            d.event,
            d.payload,
            d.attempts,
            d.retry_until,
            s.id,
            s.url,
            s.secret,
            s.allow_internal,
            s.active and s.deleted_at is None,
        )
        for d, s in rows
    ]
    db.session.rollback()  # nothing written: the snapshot read ends
    return claimed


def _post(row: _Claimed) -> dict:
    body = body_of(row.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"Trellis-Webhooks/{__version__}",
        "Trellis-Event": row.event,
        "Trellis-Delivery": row.key,
        # the time of sending, not ``now`` (a test's clock): receivers check it
        "Trellis-Signature": signature(row.secret, int(time.time()), body),
    }
    result = post(row.url, body, headers, allow_internal=row.allow_internal)
    return {
        "request_headers": headers,
        "status_code": result.status_code,
        "response_excerpt": result.excerpt,
        "error": result.error or (None if result.delivered else f"HTTP {result.status_code}"),
        "latency_ms": result.latency_ms,
    }


def _settle(settled: list[tuple[_Claimed, dict]], outcomes: dict[int, str], now: datetime) -> None:
    """Write each attempt's result and the subscriptions' failure counts in one commit;
    then switch off the subscriptions that have failed long enough."""
    for row, values in settled:
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == row.id)
            .values(**values, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    by_subscription: dict[int, list[str]] = {}
    for row, _values in settled:
        by_subscription.setdefault(row.subscription_id, []).append(outcomes[row.id])
    failing = []
    for subscription_id, results in by_subscription.items():
        table = WebhookSubscription
        if results[-1] == "delivered":
            changes: dict = {"consecutive_failures": 0, "failing_since": None}
        else:
            changes = {"failing_since": func.coalesce(table.failing_since, now)}
            if "failed" in results:
                changes["consecutive_failures"] = table.consecutive_failures + results.count(
                    "failed"
                )
            failing.append(subscription_id)
        db.session.execute(
            update(table)
            .where(table.id == subscription_id)
            .values(**changes)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    for subscription_id in failing:
        _maybe_disable(subscription_id, now)


def _maybe_disable(subscription_id: int, now: datetime) -> None:
    """Switch a subscription off when it has failed long enough."""
    failures, since = db.session.execute(
        select(WebhookSubscription.consecutive_failures, WebhookSubscription.failing_since).where(
            WebhookSubscription.id == subscription_id, WebhookSubscription.active.is_(True)
        )
    ).one_or_none() or (0, None)
    db.session.rollback()
    if failures >= DISABLE_AFTER:
        disable(subscription_id, _("%(n)d deliveries in a row failed", n=failures), now)
    elif since is not None and now - since >= FAILING_FOR:
        disable(subscription_id, _("every delivery failed for a day"), now)


def retry_due(now: datetime | None = None) -> str:
    """The periodic job: try every delivery that is due (a retry, a claim
    whose worker died, a job that never ran), for up to :data:`BUDGET`."""
    started = utcnow()
    now = now or started
    tried = sent = 0
    while utcnow() - started < BUDGET:
        ids = list(
            db.session.scalars(
                select(WebhookDelivery.id)
                .join(WebhookSubscription)
                .where(
                    WebhookDelivery.status.in_(WAITING),
                    WebhookDelivery.next_attempt_at <= now,
                    WebhookSubscription.active.is_(True),
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(BATCH)
            )
        )
        if not ids:
            break
        outcomes: list[str] = []
        for i in range(0, len(ids), CHUNK):
            outcomes += send(ids[i : i + CHUNK], now).values()
        tried += len(outcomes)
        sent += outcomes.count("delivered")
        if not outcomes:
            break  # another worker holds them all
    return f"{sent} of {tried} due webhooks delivered"


def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send ``delivery`` again — same payload, same idempotency key — with a
    new day of retries. 409 while its subscription is switched off or the
    delivery is on its way."""
    subscription = delivery.subscription
    if not subscription.active or subscription.deleted_at is not None:
        raise ConflictError(_("Switch the subscription on before sending again."))
    if delivery.status == "sending":
        raise ConflictError(_("This delivery is being sent right now."))
    now = utcnow()
    delivery.status, delivery.next_attempt_at = "pending", now
    delivery.retry_until = now + RETRY_FOR
    db.session.flush()
    send_after_commit([delivery.id])
    db.session.commit()
    return delivery
