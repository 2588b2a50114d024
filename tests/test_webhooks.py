"""Webhooks end to end against a real local HTTP receiver: a change's
delivery is written in its transaction, signed, retried after a 500 or a
timeout with one idempotency key, and a subscription failing for a day is
switched off and its admins told."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.api import db, utcnow
from core.events import transaction
from core.models import Message, WebhookDelivery, WebhookSubscription
from core.services.customers import create_customer
from core.webhooks import retry_due, save_subscription

DOCS = Path(__file__).parent.parent / "docs" / "webhooks.md"


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.com", name="Ada Admin")


@pytest.fixture
def hook(admin, trellis_webhook_receiver):
    """A subscription of the receiver to customer_created (an internal host, allowed)."""
    return save_subscription(
        {
            "name": "CRM mirror",
            "url": trellis_webhook_receiver.url,
            "events": ["customer_created"],
            "allow_internal": True,
            "secret": "whsec_test_secret_0123456789",
        },
        None,
        admin,
    )


def documented_verify():
    """The receiver's snippet of docs/webhooks.md, run as a receiver would."""
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    scope: dict = {}
    exec(compile(code, str(DOCS), "exec"), scope)  # noqa: S102 - the documentation's own code
    return scope["verify"]


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_customer_created_through_the_api_reaches_the_receiver_signed(
    hook, admin, as_user, trellis_webhook_receiver
):
    made = as_user(admin).post("/api/v1/customers", json={"name": "Acme Trading"})
    assert made.status_code == 201, made.json
    [request] = trellis_webhook_receiver.requests
    assert request.path == "/hooks"
    assert request.headers["Trellis-Event"] == "customer_created"
    [delivery] = deliveries()
    assert request.headers["Trellis-Delivery"] == delivery.key
    verify = documented_verify()
    assert verify(hook.secret, request.headers["Trellis-Signature"], request.body)
    assert not verify("whsec_another_secret", request.headers["Trellis-Signature"], request.body)
    assert not verify(hook.secret, request.headers["Trellis-Signature"], request.body + b" ")
    body = request.json()
    assert body["id"] == delivery.key and body["event"] == "customer_created"
    customer = body["data"]["customer"]
    assert customer["type"] == "customer" and customer["id"] == made.json["id"]
    assert customer["values"]["name"] == "Acme Trading"
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert delivery.status_code == 200 and delivery.latency_ms is not None
    assert '"received": true' in delivery.response_excerpt


def test_a_replayed_signature_is_refused_by_the_documented_check(hook, trellis_webhook_receiver):
    create_customer({"name": "Old news"}, None)
    [request] = trellis_webhook_receiver.requests
    header = request.headers["Trellis-Signature"]
    stamp = int(header.split(",")[0].removeprefix("t="))
    verify = documented_verify()
    assert verify(hook.secret, header, request.body)
    late = f"t={stamp - 3600},{header.split(',')[1]}"  # an hour old: outside the window
    assert not verify(hook.secret, late, request.body)


def test_a_rolled_back_change_writes_no_delivery(hook, trellis_webhook_receiver):
    with pytest.raises(RuntimeError), transaction():
        create_customer({"name": "Never was"}, None)
        assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 1  # in the transaction
        raise RuntimeError("the change fails after the event")
    assert deliveries() == []
    assert trellis_webhook_receiver.requests == []


def test_an_event_the_subscription_does_not_want_is_not_sent(hook, trellis_webhook_receiver):
    from core.services.contacts import create_contact

    customer = create_customer({"name": "Wanted"}, None).customer
    create_contact({"customer_id": customer.id, "name": "Not wanted"}, None)
    assert [r.headers["Trellis-Event"] for r in trellis_webhook_receiver.requests] == [
        "customer_created"
    ]


def test_a_500_is_retried_and_delivered_with_one_idempotency_key(hook, trellis_webhook_receiver):
    trellis_webhook_receiver.answers = [500]
    create_customer({"name": "Second time lucky"}, None)
    [delivery] = deliveries()
    assert delivery.status == "pending" and delivery.status_code == 500
    assert delivery.error == "HTTP 500"
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=1)
    assert retry_due(utcnow()) == "0 of 0 due webhooks delivered"  # not due yet
    assert retry_due(utcnow() + timedelta(minutes=2)) == "1 of 1 due webhooks delivered"
    [delivery] = deliveries()
    assert delivery.status == "delivered" and delivery.attempts == 2
    first, second = trellis_webhook_receiver.requests
    assert first.headers["Trellis-Delivery"] == second.headers["Trellis-Delivery"] == delivery.key
    assert first.body == second.body


def test_a_hanging_receiver_times_out_and_is_retried(
    hook, app, monkeypatch, trellis_webhook_receiver
):
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 0.5)
    trellis_webhook_receiver.answers = ["hang"]
    create_customer({"name": "Slow receiver"}, None)
    [delivery] = deliveries()
    assert delivery.status == "pending" and delivery.status_code is None
    assert delivery.error.startswith("timeout")
    retry_due(utcnow() + timedelta(minutes=2))
    [delivery] = deliveries()
    assert delivery.status == "delivered" and delivery.attempts == 2
    assert len({r.headers["Trellis-Delivery"] for r in trellis_webhook_receiver.requests}) == 1


def test_a_subscription_failing_for_a_day_is_switched_off_and_admins_are_told(
    hook, admin, trellis_webhook_receiver, login_as
):
    trellis_webhook_receiver.then = 500
    create_customer({"name": "Nobody home"}, None)
    start = utcnow()
    for minutes in (2, 5, 10, 20, 40, 80, 200, 600):
        retry_due(start + timedelta(minutes=minutes))
    db.session.expire_all()
    assert db.session.get(WebhookSubscription, hook.id).active  # failing, not for a day yet
    retry_due(start + timedelta(hours=25))
    [delivery] = deliveries()
    assert delivery.status == "failed"
    subscription = db.session.get(WebhookSubscription, hook.id)
    assert not subscription.active and subscription.disabled_at is not None
    assert subscription.disabled_reason == "every delivery failed for a day"
    [notice] = db.session.scalars(select(Message).where(Message.purpose == "webhook_disabled"))
    assert notice.to == admin.email and "CRM mirror" in notice.subject
    page = login_as(admin).get("/admin/webhooks/").get_data(as_text=True)
    assert 'role="alert"' in page and "every delivery failed for a day" in page
    sent = len(trellis_webhook_receiver.requests)
    create_customer({"name": "After the switch-off"}, None)
    retry_due(start + timedelta(hours=30))
    assert len(trellis_webhook_receiver.requests) == sent  # nothing more goes to it
    trellis_webhook_receiver.then = 200  # fixed: switched on again, it counts from zero
    subscription = save_subscription({"active": True}, subscription, admin)
    assert subscription.active and subscription.disabled_at is None
    assert subscription.consecutive_failures == 0 and subscription.failing_since is None
    create_customer({"name": "Back on"}, None)
    assert trellis_webhook_receiver.requests[-1].json()["data"]["customer"]["values"]["name"] == (
        "Back on"
    )


def test_the_address_is_checked_again_when_sending(hook, trellis_webhook_receiver):
    """An internal address allowed at saving but not any more is refused at send time."""
    hook.allow_internal = False
    db.session.commit()
    create_customer({"name": "Rebound"}, None)
    [delivery] = deliveries()
    assert delivery.status == "pending" and "127.0.0.1" in delivery.error
    assert trellis_webhook_receiver.requests == []


def test_two_workers_never_send_one_delivery_twice(hook, trellis_webhook_receiver):
    from core.webhooks import attempt

    trellis_webhook_receiver.answers = [500]
    create_customer({"name": "Race"}, None)
    [delivery] = deliveries()
    later = utcnow() + timedelta(minutes=2)
    assert attempt(delivery.id, later) == "delivered"
    assert attempt(delivery.id, later) == "nothing to send"
    assert len(trellis_webhook_receiver.requests) == 2


def test_a_bulk_change_reads_the_subscriptions_once_and_sees_one_saved_in_it(
    hook, admin, trellis_webhook_receiver
):
    from sqlalchemy import event as sa_event

    reads: list[str] = []

    def count(conn, cursor, statement, *args):
        if "FROM webhook_subscription" in statement:
            reads.append(statement)

    engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        with transaction():
            for n in range(5):
                create_customer({"name": f"Bulk {n}"}, None)
            assert len(reads) == 1  # five events, one read of the subscriptions
            second = {
                "name": "Second",
                "url": trellis_webhook_receiver.url,
                "events": ["customer_created"],
                "allow_internal": True,
            }
            save_subscription(second, None, admin)
            create_customer({"name": "After the second"}, None)
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    by_subscription = db.session.execute(
        select(WebhookDelivery.subscription_id, func.count()).group_by(
            WebhookDelivery.subscription_id
        )
    ).all()
    assert sorted(n for _, n in by_subscription) == [1, 6]
