"""What load balancers, orchestrators and Prometheus ask (blueprint ``health``):

- ``/healthz`` — the process is up and answering; touches nothing else, so
  it stays cheap and says nothing about the database (a liveness probe);
- ``/readyz`` — whether this process can do its work: the database answers,
  its schema is the code's, Redis answers (when ``TRELLIS_REDIS_URL`` is
  set) and a job worker has beaten its heart lately (when jobs are queued
  for one). 200 when every check passes, 503 when one fails, with each
  check's verdict; a check that fails names the kind of error, never a
  URL, a host or a password (the details go to the log). Beside the
  checks, ``outbox`` says how many jobs wait to be handed to the queue and
  how old the oldest is (:mod:`core.jobs.outbox`): information, not a
  verdict — jobs wait there while Redis is down, and the checks say so;
- ``/metrics`` — Prometheus's text format (:mod:`core.ops.metrics`), only
  registered when ``TRELLIS_METRICS_TOKEN`` is set, and only to a caller
  that sends that token as ``Authorization: Bearer …``.

None of them needs a signed-in user; all answer JSON but ``/metrics``.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import time
from collections.abc import Callable
from typing import Any

import redis
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from core import __version__
from core import migrate as mig
from core.extensions import db
from core.jobs import outbox, queue, queue_name
from core.models.base import utcnow
from core.ops.heartbeat import STALE_SECONDS, last_beat
from core.ops.metrics import exposition
from core.rest.problems import problem

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
metrics_bp = Blueprint("metrics", __name__)
#: how long /readyz waits for Redis
REDIS_TIMEOUT = 1.0
NO_STORE = {"Cache-Control": "no-store"}

Check = dict[str, Any]


@bp.route("/healthz")
def healthz() -> tuple[dict[str, str], int, dict[str, str]]:
    return {"status": "ok", "version": __version__}, 200, NO_STORE


@bp.route("/readyz")
def readyz() -> tuple[Response, int, dict[str, str]]:
    config = current_app.config
    checks: dict[str, Check] = {"database": _guarded("database", _database)}
    database_up = checks["database"]["status"] == "ok"
    checks["migrations"] = _guarded("migrations", _migrations) if database_up else _skipped()
    if config["TRELLIS_REDIS_URL"]:
        checks["redis"] = _guarded("redis", lambda: _redis(config["TRELLIS_REDIS_URL"]))
    if config["TRELLIS_JOBS"] == "queue":  # a worker (embedded or separate) runs the jobs
        name = queue_name(current_app)
        checks["worker"] = _guarded("worker", lambda: _worker(name)) if database_up else _skipped()
    ok = all(check["status"] == "ok" for check in checks.values())
    body: dict[str, Any] = {"status": "ok" if ok else "fail", "checks": checks}
    if checks["migrations"]["status"] == "ok":  # else the table may not be there yet
        body["outbox"] = _outbox()
    return jsonify(body), 200 if ok else 503, NO_STORE


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    """Run ``check``; an error is a failed check naming the error's kind."""
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # noqa: BLE001 - a probe gets a verdict, never a 500
        log.warning("readyz: %s check failed: %s", name, exc)
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        result = {"status": "fail", "error": type(exc).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _skipped() -> Check:
    return {"status": "fail", "error": "database unavailable"}


def _database() -> Check:
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


def _migrations() -> Check:
    """Current when the database holds the code's heads. The full comparison
    (reading every revision file) runs once; afterwards, while the database's
    revisions stay those it approved, reading them answers."""
    revisions = _database_revisions()
    state = current_app.extensions.setdefault("trellis_readyz", {})
    if state.get("current_revisions") == revisions:
        return {"status": "ok"}
    status = mig.status()
    if status.ahead:
        return {"status": "fail", "error": "database schema is newer than the code"}
    if status.behind:
        return {"status": "fail", "error": "migrations pending", "behind": status.behind}
    state["current_revisions"] = revisions
    return {"status": "ok"}


def _database_revisions() -> frozenset[str]:
    """What ``alembic_version`` holds (read directly: Alembic's own reader
    logs two lines each time, and a probe comes every few seconds)."""
    if not inspect(db.session.connection()).has_table("alembic_version"):
        return frozenset()
    return frozenset(db.session.scalars(text("SELECT version_num FROM alembic_version")))


def _redis(url: str) -> Check:
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )
    try:
        client.ping()
    finally:
        client.close()
    return {"status": "ok"}


def _outbox() -> dict[str, Any]:
    try:
        stats = outbox.stats()
    except SQLAlchemyError as exc:
        log.warning("readyz: cannot read the job outbox: %s", exc)
        db.session.rollback()
        return {"error": type(exc).__name__}
    return {"pending": stats.pending, "oldest_age_seconds": stats.oldest_age_seconds}


def _worker(queue_name: str) -> Check:
    beat = last_beat(queue_name)
    if beat is None:
        return {"status": "fail", "error": "no worker heartbeat"}
    age = max(0, round((utcnow() - beat).total_seconds()))
    if age > STALE_SECONDS:
        return {"status": "fail", "error": "worker heartbeat stale", "age_seconds": age}
    return {"status": "ok", "age_seconds": age}


@metrics_bp.route("/metrics")
def metrics() -> Response:
    expected = f"Bearer {current_app.config['TRELLIS_METRICS_TOKEN']}"
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        # for a scraper, not a person: English, like the log
        refused = problem(401, "Unauthorized", "send TRELLIS_METRICS_TOKEN as a bearer token")
        refused.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return refused
    body, content_type = exposition(queue(), outbox.stats)
    return Response(body, 200, {"Content-Type": content_type, **NO_STORE})


def register_metrics(app: Flask) -> None:
    """Serve ``/metrics`` when ``TRELLIS_METRICS_TOKEN`` is set (else no such URL)."""
    if app.config["TRELLIS_METRICS_TOKEN"]:
        app.register_blueprint(metrics_bp)
