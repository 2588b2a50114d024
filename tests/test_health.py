"""``/healthz`` (the process answers) and ``/readyz`` (it can work: database,
schema, Redis, a job worker), on real databases, a real Redis, a closed
port and a real ``trellis worker`` process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app

from core import migrate as mig
from core.errors import PluginError
from core.jobs import enqueue, queue, queue_name
from core.jobs.outbox import relay_waiting
from core.models.base import utcnow
from core.ops.heartbeat import STALE_SECONDS, beat
from core.testing import plugin_module

TRELLIS = str(Path(sys.executable).parent / "trellis")
REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def closed_port():
    """A port bound but not listening: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_healthz_answers_without_touching_the_database(make_app):
    app = make_app(TRELLIS_DATABASE_URL="postgresql+psycopg://ops:s3cret@127.0.0.1:1/gone")
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 200 and answer.json["status"] == "ok"
    assert answer.headers["Cache-Control"] == "no-store"


def test_readyz_fails_on_an_unreachable_database_and_leaks_nothing(make_app):
    app = make_app(TRELLIS_DATABASE_URL="postgresql+psycopg://ops:s3cret@127.0.0.1:1/gone")
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.json["status"] == "fail"
    checks = answer.json["checks"]
    assert checks["database"]["status"] == "fail" and checks["database"]["error"]
    assert checks["migrations"]["status"] == "fail"
    for secret in ("s3cret", "ops", "127.0.0.1", "gone"):
        assert secret not in answer.text


def test_readyz_lists_each_check_and_answers_200_when_all_pass(app, client):
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "ok"
    assert set(answer.json["checks"]) == {"database", "migrations"}  # no Redis, no worker here
    assert all(c["status"] == "ok" for c in answer.json["checks"].values())
    assert answer.json["outbox"] == {"pending": 0, "oldest_age_seconds": None}
    assert answer.headers["Cache-Control"] == "no-store"


def test_readyz_sees_migrations_pending_and_done(make_app, empty_database_url):
    client = make_app(TRELLIS_DATABASE_URL=empty_database_url, TRELLIS_PLUGINS="").test_client()
    pending = client.get("/readyz")
    assert pending.status_code == 503
    assert pending.json["checks"]["migrations"]["behind"] == ["core"]
    mig.upgrade()
    assert client.get("/readyz").status_code == 200
    mig.downgrade("core")  # a step back after it was found current: seen again
    behind = client.get("/readyz")
    assert behind.status_code == 503 and behind.json["checks"]["migrations"]["behind"] == ["core"]


def test_with_redis_down_reads_go_on_and_readyz_says_redis(
    make_app, make_user, make_customer, closed_port
):
    app = make_app(TRELLIS_REDIS_URL=f"redis://127.0.0.1:{closed_port}/0")
    client = app.test_client()
    user = make_user(role="admin")
    make_customer(name="Still Readable Ltd", owner_id=user.id)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    assert "Still Readable Ltd" in client.get("/customers/").text
    assert client.get("/healthz").status_code == 200
    answer = client.get("/readyz")
    assert answer.status_code == 503
    checks = answer.json["checks"]
    assert checks["redis"]["status"] == "fail" and checks["redis"]["error"] == "ConnectionError"
    assert checks["database"]["status"] == "ok"
    assert str(closed_port) not in answer.text


def test_with_redis_down_readyz_counts_the_jobs_waiting_in_the_outbox(make_app, closed_port):
    """A job queued while Redis is down waits in the outbox; /readyz says how
    many wait and for how long, and the count is back to 0 once relayed."""
    app = make_app(TRELLIS_JOBS="queue", TRELLIS_REDIS_URL=f"redis://127.0.0.1:{closed_port}/0")
    enqueue("core.follow_ups")  # no transaction of the caller's: written and tried at once
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.json["checks"]["redis"]["status"] == "fail"
    assert answer.json["outbox"]["pending"] == 1
    assert 0 <= answer.json["outbox"]["oldest_age_seconds"] < 60
    make_app(TRELLIS_JOBS="queue", TRELLIS_REDIS_URL=REDIS)
    queue().flush()
    assert relay_waiting(utcnow() + timedelta(hours=1)).sent == 1
    assert queue().pending_count() == 1
    back = current_app.test_client().get("/readyz").json
    assert back["checks"]["redis"]["status"] == "ok"
    assert back["outbox"] == {"pending": 0, "oldest_age_seconds": None}
    queue().flush()


def test_a_stale_worker_heartbeat_fails_readyz_and_a_fresh_one_passes(make_app):
    app = make_app(TRELLIS_JOBS="queue")
    client = app.test_client()
    missing = client.get("/readyz")
    assert missing.status_code == 503
    assert missing.json["checks"]["worker"]["error"] == "no worker heartbeat"
    beat(queue_name(app), "elsewhere:1", at=utcnow() - timedelta(seconds=STALE_SECONDS + 60))
    stale = client.get("/readyz").json["checks"]["worker"]
    assert stale["status"] == "fail" and stale["age_seconds"] > STALE_SECONDS
    beat(queue_name(app), "elsewhere:2")
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json["checks"]["worker"]["age_seconds"] < 60


def test_a_running_trellis_worker_makes_readyz_ready(make_app, trellis_database, tmp_path):
    """Redis set: a separate ``trellis worker`` process is expected, and its heartbeat seen."""
    app = make_app(TRELLIS_JOBS="queue", TRELLIS_REDIS_URL=REDIS)
    client = app.test_client()
    before = client.get("/readyz")
    assert before.status_code == 503 and before.json["checks"]["redis"]["status"] == "ok"
    assert before.json["checks"]["worker"]["status"] == "fail"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
    environ.update(
        TRELLIS_DATABASE_URL=trellis_database,
        TRELLIS_INSTANCE_PATH=str(tmp_path),
        TRELLIS_REDIS_URL=REDIS,
        TRELLIS_SECRET_KEY="test-secret",
        TRELLIS_REGION="CN",
    )
    worker = subprocess.Popen(
        [TRELLIS, "worker", "--threads", "1"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        answer = client.get("/readyz")
        while answer.status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
            answer = client.get("/readyz")
        assert answer.status_code == 200, answer.json
        assert answer.json["checks"]["worker"]["status"] == "ok"
    finally:
        worker.terminate()
        assert worker.wait(timeout=30) == 0, worker.stdout.read() if worker.stdout else ""


@pytest.mark.parametrize("name", ["healthz", "readyz", "metrics", "job"])
def test_a_plugin_may_not_take_an_operations_name(register_plugin, name):
    with pytest.raises(PluginError, match="reserved"):
        register_plugin(plugin_module(name))
