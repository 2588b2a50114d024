"""The job outbox: a queued job shares the fate of the write that queues
it, waits in ``job_outbox`` while Redis is down and is handed to the queue
once, when Redis is back. A real Redis for "up", a closed port for "down",
real Huey queues; no mocks."""

from __future__ import annotations

import socket
import threading
import uuid
from datetime import timedelta

import pytest
from flask import Blueprint, request
from sqlalchemy import func, inspect, select, update
from test_metrics import TOKEN, samples, scrape, value

from core import migrate as mig
from core.api import Job, enqueue, transaction
from core.extensions import db
from core.jobs import outbox, queue
from core.models import JobOutbox, SiteSetting
from core.models.base import utcnow
from core.testing import plugin_module

REDIS = "redis://127.0.0.1:6379/15"


def leave_a_row(tag: str = "") -> str:
    """The probe job: every run leaves a row of its own, so a second run shows."""
    db.session.add(SiteSetting(key=f"ran-{uuid.uuid4().hex}", value=tag))
    db.session.commit()
    return "left a row"


def pages() -> Blueprint:
    """``/probe/write`` saves a setting and queues the probe job in one
    transaction (``?fail=1``: and then fails); ``/probe/queue`` only queues."""
    bp = Blueprint("probe", __name__, url_prefix="/probe")

    def write():
        with transaction():
            db.session.add(SiteSetting(key=f"saved-{uuid.uuid4().hex}", value="saved"))
            enqueue("probe.note", tag=request.args.get("tag", "web"))
            if request.args.get("fail"):
                raise RuntimeError("the write fails after queueing")
        return "saved"

    bp.add_url_rule("/write", "write", write)
    bp.add_url_rule("/queue", "queue", lambda: (enqueue("probe.note", tag="queued"), "queued")[1])
    return bp


PROBE = plugin_module(
    "probe",
    trellis_jobs=lambda: [Job("probe.note", "Note", leave_a_row)],
    trellis_blueprints=lambda: [pages()],
)


@pytest.fixture
def down_url():
    """A Redis URL whose port is bound but not listening: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


@pytest.fixture
def queued(register_plugin):
    """``queued(redis_url, **settings)``: an app with the probe on a real Huey
    queue (emptied), its context pushed; the queue is emptied afterwards too."""
    hueys = []

    def build(redis_url: str, **settings):
        app = register_plugin(PROBE, TRELLIS_JOBS="queue", TRELLIS_REDIS_URL=redis_url, **settings)
        if redis_url == REDIS:
            queue().flush()
            hueys.append(queue())
        return app

    yield build
    for huey in hueys:
        huey.flush()


def waiting() -> list[JobOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(JobOutbox).order_by(JobOutbox.id)))


def count(prefix: str) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(SiteSetting).where(SiteSetting.key.like(f"{prefix}%"))
    )


def run_the_queue() -> list[dict]:
    """What the consumer's workers do: run every queued task; the job kwargs they ran with."""
    huey, ran = queue(), []
    while (task := huey.dequeue()) is not None:
        if task.name == "trellis.job":
            ran.append(task.args[1])
        huey.execute(task)
    return ran


def test_with_redis_up_a_request_hands_its_job_to_the_queue(queued):
    app = queued(REDIS)
    answer = app.test_client().get("/probe/write")
    assert answer.status_code == 200 and answer.text == "saved"
    assert queue().pending_count() == 1 and waiting() == []
    assert run_the_queue() == [{"tag": "web"}] and count("ran-") == 1


def test_with_redis_down_a_request_that_queues_succeeds_and_its_job_waits(queued, down_url):
    app = queued(down_url)
    client = app.test_client()
    before = utcnow()
    assert client.get("/probe/write").text == "saved"
    assert client.get("/probe/queue").text == "queued"
    assert count("saved-") == 1  # the write itself is committed
    rows = waiting()
    assert [(r.code, r.kwargs, r.attempts) for r in rows] == [
        ("probe.note", {"tag": "web"}, 1),
        ("probe.note", {"tag": "queued"}, 1),
    ]
    assert all(r.last_error.startswith("ConnectionError") for r in rows)
    assert all(r.next_attempt_at >= before + outbox.FIRST_BACKOFF for r in rows)
    assert all(r.meta["request_id"] for r in rows) and rows[0].meta != rows[1].meta
    assert all(r.leased_by is None for r in rows)


def test_a_rolled_back_write_queues_nothing(queued):
    app = queued(REDIS)
    with pytest.raises(RuntimeError), transaction():
        db.session.add(SiteSetting(key="saved-rolled-back", value="x"))
        enqueue("probe.note")
        raise RuntimeError("the write fails")
    assert app.test_client().get("/probe/write?fail=1").status_code == 500
    assert waiting() == [] and queue().pending_count() == 0 and count("saved-") == 0


def test_a_job_queued_in_a_transaction_goes_when_it_commits(queued):
    queued(REDIS)
    with transaction():
        enqueue("probe.note", tag="first")  # before any write: still the transaction's
        assert queue().pending_count() == 0
        db.session.add(SiteSetting(key="saved-in-transaction", value="x"))
        db.session.flush()
        assert queue().pending_count() == 0 and len(waiting()) == 1
    assert queue().pending_count() == 1 and waiting() == []


def test_a_job_shares_the_fate_of_the_callers_pending_writes(queued):
    queued(REDIS)
    db.session.add(SiteSetting(key="saved-pending", value="x"))
    enqueue("probe.note", tag="rolled back")
    db.session.rollback()
    assert queue().pending_count() == 0 and waiting() == []
    db.session.add(SiteSetting(key="saved-pending", value="x"))
    enqueue("probe.note", tag="committed")
    assert queue().pending_count() == 0
    db.session.commit()
    assert queue().pending_count() == 1 and waiting() == []
    assert run_the_queue() == [{"tag": "committed"}]


def test_when_redis_is_back_the_workers_relay_hands_each_job_over_once(queued, down_url):
    queued(down_url).test_client().get("/probe/write")
    [row] = waiting()
    queued(REDIS)  # the same database, Redis back
    huey = queue()
    # the periodic relay runs every minute; the row's backoff is not over yet
    relays = [t for t in huey.read_periodic(utcnow()) if t.name == outbox.RELAY_TASK]
    assert len(relays) == 1
    huey.execute(relays[0])
    assert huey.pending_count() == 0 and len(waiting()) == 1
    db.session.execute(  # a minute later
        update(JobOutbox).values(next_attempt_at=row.next_attempt_at - outbox.FIRST_BACKOFF)
    )
    db.session.commit()
    huey.execute(relays[0])
    assert huey.pending_count() == 1 and waiting() == []
    assert outbox.relay_waiting().sent == 0
    assert run_the_queue() == [{"tag": "web"}] and count("ran-") == 1


def test_the_next_job_queued_takes_the_waiting_ones_along(queued, down_url):
    client = queued(down_url).test_client()
    client.get("/probe/write?tag=one")
    client.get("/probe/write?tag=two")
    assert len(waiting()) == 2  # each waits out its backoff
    queued(REDIS).test_client().get("/probe/write?tag=three")
    assert waiting() == []
    assert sorted(kw["tag"] for kw in run_the_queue()) == ["one", "three", "two"]
    assert count("ran-") == 3


def test_each_refusal_waits_longer_up_to_the_cap(queued, down_url):
    queued(down_url)
    enqueue("probe.note")
    moment = utcnow()
    for attempts in range(2, 8):
        moment += outbox.backoff(attempts - 1)
        done = outbox.relay_waiting(moment)
        assert done.sent == 0 and done.refused == 1 and done.error.startswith("ConnectionError")
        [row] = waiting()
        assert row.attempts == attempts
        assert row.next_attempt_at == moment + outbox.backoff(attempts)
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 6)] == [
        60,
        120,
        240,
        480,
        900,
        900,
    ]


def test_a_relay_that_died_lets_its_rows_go_when_its_lease_ends(queued, down_url):
    queued(down_url)
    enqueue("probe.note")
    queued(REDIS)
    now = utcnow() + timedelta(hours=1)  # every backoff is over
    held = now + timedelta(minutes=1)
    db.session.execute(update(JobOutbox).values(leased_by="dead-relay", leased_until=held))
    db.session.commit()
    assert outbox.relay_waiting(now).sent == 0 and queue().pending_count() == 0
    assert outbox.relay_waiting(held).sent == 1 and queue().pending_count() == 1


def test_two_relays_racing_hand_each_job_over_once(queued, down_url):
    """Two relays at the same moment, each on its own connection, over more
    rows than one batch: every job reaches the queue exactly once."""
    queued(down_url)
    total = outbox.BATCH * 2 + 37
    now = utcnow()
    db.session.add_all(
        JobOutbox(code="probe.note", kwargs={"tag": str(n)}, attempts=0, next_attempt_at=now)
        for n in range(total)
    )
    db.session.commit()
    app = queued(REDIS)
    start = threading.Barrier(2)
    results, errors = [], []

    def relay() -> None:
        try:
            with app.app_context():
                start.wait(timeout=30)
                results.append(outbox.relay_waiting())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(results) == 2
    assert sum(r.sent for r in results) == total
    assert queue().pending_count() == total and waiting() == []
    tags = [kw["tag"] for kw in run_the_queue()]
    assert sorted(tags, key=int) == [str(n) for n in range(total)]


def test_kwargs_that_are_not_json_are_refused_when_queued(queued, app):
    with pytest.raises(TypeError, match="JSON-serialisable"):
        enqueue("core.follow_ups", when=utcnow())
    queued(REDIS)
    with pytest.raises(TypeError, match="JSON-serialisable"):
        enqueue("probe.note", tag={1, 2})
    assert waiting() == []


def test_metrics_show_the_jobs_waiting_and_the_oldest_age(queued, down_url):
    client = queued(down_url, TRELLIS_METRICS_TOKEN=TOKEN).test_client()
    idle = samples(scrape(client))
    assert idle[("trellis_job_outbox_pending", frozenset())] == 0
    assert idle[("trellis_job_outbox_oldest_age_seconds", frozenset())] == 0
    client.get("/probe/write")
    db.session.execute(update(JobOutbox).values(created_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()
    waited = scrape(client)
    assert value(waited, "trellis_job_outbox_pending") == 1
    assert 600 <= value(waited, "trellis_job_outbox_oldest_age_seconds") < 3600


def test_the_outbox_migration_goes_down_and_up_again(empty_database_url, make_app):
    make_app(TRELLIS_DATABASE_URL=empty_database_url, TRELLIS_PLUGINS="")
    mig.upgrade()
    indexes = {i["name"] for i in inspect(db.engine).get_indexes("job_outbox")}
    assert indexes == {"ix_job_outbox_next_attempt_at", "ix_job_outbox_leased_by"}
    mig.downgrade("core", "c0de00000009")
    assert "job_outbox" not in inspect(db.engine).get_table_names()
    mig.upgrade()
    assert "job_outbox" in inspect(db.engine).get_table_names()
    db.session.add(JobOutbox(code="core.follow_ups", attempts=0, next_attempt_at=utcnow()))
    db.session.commit()
    assert [(row.code, row.kwargs, row.meta) for row in waiting()] == [
        ("core.follow_ups", {}, None)
    ]
