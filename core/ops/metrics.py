"""Prometheus metrics, with the maintained ``prometheus_client``.

What is measured:

- ``trellis_http_request_duration_seconds`` — a histogram per route (the
  endpoint's name, never the raw path, so the number of series stays
  bounded), method and status class (``2xx`` …);
- ``trellis_job_runs_total`` / ``trellis_job_failures_total`` — per job code;
- ``trellis_job_queue_depth`` — jobs waiting (Huey's ``pending_count``),
  read when scraped;
- ``trellis_job_outbox_pending`` / ``trellis_job_outbox_oldest_age_seconds``
  — jobs committed but not yet handed to the queue (Redis down), and how
  long the oldest has waited (:mod:`core.jobs.outbox`), read when scraped;
- ``trellis_db_pool_checked_out`` / ``trellis_db_pool_size`` — the
  SQLAlchemy pools' connections in use and their size, summed over the
  instance's live processes.

Off unless ``TRELLIS_METRICS_TOKEN`` is set: then ``/metrics`` (see
:mod:`core.web.health`) answers a scraper that sends ``Authorization:
Bearer <token>``. Under gunicorn every worker is its own process; ``trellis
serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a folder of that server's own
(see :func:`core.cli.server.server_folder`), emptied at each start, where
its processes (gunicorn's workers and the embedded job worker) write their
figures and a scrape adds them up. A ``trellis worker`` of its own (with
Redis) is not among them: its job counts are its process's.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event

from core.extensions import db

log = logging.getLogger(__name__)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: the folder ``trellis serve`` gives the processes it starts, inside the server's folder
MULTIPROC_FOLDER = "prometheus"
#: prometheus_client chose its storage when it was imported: shared files or this process
MULTIPROCESS = values.ValueClass is not values.MutexValue
#: the latency targets are 50 and 200 ms: buckets around them
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_SECONDS = Histogram(
    "trellis_http_request_duration_seconds",
    "Time to answer a request, by route (endpoint name), method and status class.",
    ["endpoint", "method", "status"],
    buckets=BUCKETS,
    registry=None,
)
JOB_RUNS = Counter("trellis_job_runs", "Job runs started, by job code.", ["job"], registry=None)
JOB_FAILURES = Counter(
    "trellis_job_failures", "Job runs that raised an error, by job code.", ["job"], registry=None
)
POOL_CHECKED_OUT = Gauge(
    "trellis_db_pool_checked_out",
    "Database connections in use (checked out of the pools).",
    registry=None,
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "trellis_db_pool_size",
    "Connections the database pools keep open at most (without overflow).",
    registry=None,
    multiprocess_mode="livesum",
)
OWN_METRICS = (REQUEST_SECONDS, JOB_RUNS, JOB_FAILURES, POOL_CHECKED_OUT, POOL_SIZE)


def enabled(app: Flask) -> bool:
    return bool(app.config["TRELLIS_METRICS_TOKEN"])


def init_metrics(app: Flask) -> None:
    """Time every request (from before any other hook runs) and follow the
    database pool, when metrics are on."""
    if not enabled(app):
        return
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)
    app.after_request(_observe)
    with app.app_context():
        follow_pool(db.engine)


def _start_timer() -> None:
    g.trellis_request_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.get("trellis_request_started")
    if started is not None:
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(
            request.endpoint or "unmatched", method, f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
    return response


def follow_pool(engine: Any) -> None:
    """Keep the pool gauges in step with ``engine``'s pool (once per engine)."""
    pool = engine.pool
    if getattr(pool, "_trellis_metrics", False):
        return
    pool._trellis_metrics = True
    size = getattr(pool, "size", None)  # QueuePool has one; SQLite's memory pools do not
    if callable(size):
        POOL_SIZE.inc(size())
    event.listen(pool, "checkout", lambda *_: POOL_CHECKED_OUT.inc())
    event.listen(pool, "checkin", lambda *_: POOL_CHECKED_OUT.dec())


@contextmanager
def counting_job(code: str) -> Iterator[None]:
    """Count a run of job ``code``, and its failure if it raises."""
    JOB_RUNS.labels(code).inc()
    try:
        yield
    except BaseException:
        JOB_FAILURES.labels(code).inc()
        raise


class _QueueDepth:
    """Read when scraped: the jobs waiting in the shared queue."""

    def __init__(self, huey: Any) -> None:
        self.huey = huey

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            depth = self.huey.pending_count()
        except Exception as exc:  # noqa: BLE001 - a queue out of reach (Redis down) leaves it out
            log.warning("metrics: cannot read the job queue: %s", exc)
            return
        yield GaugeMetricFamily("trellis_job_queue_depth", "Jobs waiting to run.", value=depth)


class _Outbox:
    """Read when scraped: the jobs waiting in the outbox, and the oldest's age."""

    def __init__(self, stats: Callable[[], Any]) -> None:
        self.stats = stats

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            stats = self.stats()
        except Exception as exc:  # noqa: BLE001 - a database out of reach leaves them out
            log.warning("metrics: cannot read the job outbox: %s", exc)
            with contextlib.suppress(Exception):
                db.session.rollback()
            return
        yield GaugeMetricFamily(
            "trellis_job_outbox_pending",
            "Jobs committed but not yet handed to the queue (waiting while it is out of reach).",
            value=stats.pending,
        )
        yield GaugeMetricFamily(
            "trellis_job_outbox_oldest_age_seconds",
            "Seconds the oldest job in the outbox has waited (0 when none waits).",
            value=stats.oldest_age_seconds or 0,
        )


def exposition(huey: Any, outbox: Callable[[], Any] | None = None) -> tuple[bytes, str]:
    """The metrics as a scrape reads them: every process's figures (from
    their shared folder, under gunicorn) or this process's, the queue, and
    the outbox (``outbox()`` gives its pending count and oldest age)."""
    registry = CollectorRegistry(auto_describe=False)
    if MULTIPROCESS:
        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in OWN_METRICS:
            registry.register(metric)
    registry.register(_QueueDepth(huey))
    if outbox is not None:
        registry.register(_Outbox(outbox))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def prepare_multiprocess_folder(folder: Path) -> None:
    """Make ``folder`` the private, empty one the processes ``trellis serve``
    starts write their figures to (a previous run's would be added to this
    one's otherwise): exported in ``PROMETHEUS_MULTIPROC_DIR`` for them."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700, parents=True)
    os.environ[MULTIPROC_ENV] = str(folder)


def process_gone(pid: int) -> None:
    """A gunicorn worker exited: its live gauges no longer count."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)
