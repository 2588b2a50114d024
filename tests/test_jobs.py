"""The job interface on its three stores: immediate (tests), SQLite, Redis."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import func, select

from core.errors import TrellisError
from core.jobs import enqueue, queue
from core.models import Customer, PoolRule, utcnow


@pytest.fixture
def neglected(app, db, make_user, make_customer):
    """A customer not contacted for 60 days under a 30-day pool rule."""

    def build():
        rep = make_user()
        customer = make_customer(owner_id=rep.id)
        customer.last_contacted_at = utcnow() - timedelta(days=60)
        db.session.add(PoolRule(team_id=None, recycle_after_days=30, remind_days_before=0))
        db.session.commit()
        return customer

    return build


def pooled(db) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Customer).where(Customer.owner_id.is_(None))
    )


def test_immediate_mode_runs_the_job_when_queued(neglected, db):
    neglected()
    enqueue("core.pool_recycle")
    assert pooled(db) == 1


def test_an_unknown_job_is_refused_when_queued(app):
    with pytest.raises(TrellisError, match="No such job: nope"):
        enqueue("nope")


@pytest.mark.parametrize(
    "settings, storage",
    [({}, SqliteStorage), ({"TRELLIS_REDIS_URL": "redis://127.0.0.1:6379/15"}, RedisStorage)],
    ids=["sqlite", "redis"],
)
def test_a_queued_job_waits_for_the_worker_and_runs_once(
    make_app, make_user, make_customer, db, settings, storage
):
    app = make_app(TRELLIS_JOBS="queue", **settings)
    with app.app_context():
        huey = queue()
        huey.flush()
        assert isinstance(huey.storage, storage)
        rep = make_user()
        customer = make_customer(owner_id=rep.id)
        customer.last_contacted_at = utcnow() - timedelta(days=60)
        db.session.add(PoolRule(team_id=None, recycle_after_days=30, remind_days_before=0))
        db.session.commit()

        enqueue("core.pool_recycle")
        enqueue("core.pool_recycle")
        assert huey.pending_count() == 2 and pooled(db) == 0
        while (task := huey.dequeue()) is not None:  # what the consumer's worker does
            huey.execute(task)
        db.session.expire_all()
        assert pooled(db) == 1 and huey.pending_count() == 0
        assert db.session.get(Customer, customer.id).owner_id is None
        huey.flush()


def test_periodic_jobs_come_from_the_one_schedule(app):
    due = lambda *hm: {t.name for t in queue().read_periodic(datetime(2026, 3, 2, *hm))}  # noqa: E731
    every_minute = {
        "trellis.every.marketing.send_campaigns",  # due e-mail campaigns
        "trellis.every.core.retry_webhooks",  # webhook deliveries due for a retry
        "trellis.every.core.retry_automation",  # automation runs due for a retry
        "trellis.every.core.run_schedules",  # schedule and date automation rules due
    }
    assert due(10, 0) == {
        "trellis.every.core.follow_ups",
        "trellis.every.core.resume_imports",  # every 5 minutes: imports whose worker stopped
        "trellis.every.core.pool_recycle",
        "trellis.every.sales.start_contracts",  # hourly: signed contracts whose day came
        *every_minute,
    }
    assert due(10, 15) == {
        "trellis.every.core.follow_ups",
        "trellis.every.core.resume_imports",
        *every_minute,
    }
    assert due(10, 7) == every_minute
    assert "trellis.every.marketing.rfm" in due(0, 0)  # daily, at midnight
    assert "trellis.every.core.purge_logs" in due(0, 0)  # daily: old runs, deliveries, files


def test_a_wrong_jobs_setting_names_itself(make_app):
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="TRELLIS_JOBS"):
        make_app(TRELLIS_JOBS="sometimes")
