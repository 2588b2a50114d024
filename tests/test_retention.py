"""The nightly ``core.purge_logs``: automation runs, webhook deliveries and
import files older than ``TRELLIS_KEEP_LOGS_DAYS`` go; what is still
waiting, a date rule's guards, the records and the audit log stay."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.api import db
from core.imports.batches import path_of
from core.models import (
    AutomationRule,
    AutomationRun,
    Customer,
    ImportJob,
    WebhookDelivery,
    WebhookSubscription,
    utcnow,
)
from core.ops.retention import purge_logs


def _rule(name: str, event: str) -> AutomationRule:
    rule = AutomationRule(  # switched off: the imports below run no rule
        name=name, trigger={"kind": "event", "event": event}, event=event, conditions=[]
    )
    rule.active = False
    rule.actions = []
    db.session.add(rule)
    db.session.flush()
    return rule


def _run(rule: AutomationRule, status: str, days_ago: int, slot: str | None = None) -> int:
    when = utcnow() - timedelta(days=days_ago)
    run = AutomationRun(
        rule_id=rule.id,
        event=rule.event,
        status=status,
        slot=slot,
        record_type="customer",
        record_id=days_ago,
        next_attempt_at=when,
        finished_at=None if status == "queued" else when,
        results=[],
    )
    db.session.add(run)
    db.session.flush()
    return run.id


def _delivery(subscription: WebhookSubscription, status: str, days_ago: int) -> int:
    when = utcnow() - timedelta(days=days_ago)
    delivery = WebhookDelivery(
        subscription_id=subscription.id,
        event="customer_created",
        key=f"k-{status}-{days_ago}",
        payload={},
        status=status,
        next_attempt_at=when,
        retry_until=when,
    )
    db.session.add(delivery)
    db.session.flush()
    db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery.id).values(updated_at=when)
    )
    return delivery.id


def _import(api, rows: str, run: bool) -> ImportJob:
    job = api.post(
        "/api/v1/imports/jobs",
        data={"file": (io.BytesIO(rows.encode()), "c.csv"), "target": "customers"},
        content_type="multipart/form-data",
    ).json
    if run:
        api.put(f"/api/v1/imports/jobs/{job['id']}/mapping", json={})
        assert api.post(f"/api/v1/imports/jobs/{job['id']}/run").status_code == 202
    return db.session.get(ImportJob, job["id"])


def test_old_logs_go_and_what_still_counts_stays(make_user, as_user):
    admin = make_user(role="admin")
    api = as_user(admin)
    event_rule = _rule("On create", "customer_created")
    date_rule = _rule("Birthdays", "@date")
    old_done = _run(event_rule, "done", 100)
    old_failed = _run(event_rule, "failed", 120)
    recent = _run(event_rule, "done", 10)
    waiting = _run(event_rule, "queued", 200)  # never finished: never purged
    date_guard = _run(date_rule, "done", 200, slot="2026-05-20")  # still a guard
    date_gone = _run(date_rule, "done", 400, slot="2025-10-01")
    subscription = WebhookSubscription(name="ERP", url="https://erp.example.com/hook")
    subscription.secret = "s" * 32
    db.session.add(subscription)
    db.session.flush()
    delivered_old = _delivery(subscription, "delivered", 100)
    pending_old = _delivery(subscription, "pending", 100)
    delivered_new = _delivery(subscription, "delivered", 5)
    db.session.commit()

    done = _import(api, "name,phone\nKept Co,13800138300\n", run=True)
    abandoned = _import(api, "name,phone\nNever Co,13800138301\n", run=False)
    fresh = _import(api, "name,phone\nFresh Co,13800138302\n", run=False)
    files = {job.id: path_of(job) for job in (done, abandoned, fresh)}
    db.session.execute(
        update(ImportJob)
        .where(ImportJob.id.in_([done.id, abandoned.id]))
        .values(updated_at=utcnow() - timedelta(days=91))
    )
    db.session.commit()

    outcome = purge_logs()
    assert outcome == "3 automation runs, 1 webhook deliveries, 2 import files deleted"
    runs = set(db.session.scalars(select(AutomationRun.id)))
    assert runs == {recent, waiting, date_guard}
    assert not runs & {old_done, old_failed, date_gone}
    deliveries = set(db.session.scalars(select(WebhookDelivery.id)))
    assert deliveries == {pending_old, delivered_new} and delivered_old not in deliveries
    db.session.expire_all()
    assert not files[done.id].exists() and not files[abandoned.id].exists()
    assert files[fresh.id].exists()
    assert db.session.get(ImportJob, done.id).status == "done"  # still listed, counters kept
    gone = db.session.get(ImportJob, abandoned.id)
    assert gone.status == "failed" and "90 days" in gone.error
    assert db.session.scalar(select(Customer.id).where(Customer.name == "Kept Co")) is not None
    # an undo needs no file: the import purged of its file is still undone
    assert api.post(f"/api/v1/imports/jobs/{done.id}/undo").json["status"] == "undone"
    assert purge_logs() == "0 automation runs, 0 webhook deliveries, 0 import files deleted"


@pytest.mark.parametrize("value", ["0", "ten", "4000"])
def test_a_wrong_keep_logs_setting_names_itself(make_app, value):
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="TRELLIS_KEEP_LOGS_DAYS"):
        make_app(TRELLIS_KEEP_LOGS_DAYS=value)
