"""Prometheus metrics at ``/metrics``: off unless ``TRELLIS_METRICS_TOKEN``
is set, then behind that bearer token; request latency per route and status
class, job runs and failures, queue depth, database pool — in one process
and added up over gunicorn's workers and the embedded job worker."""

from __future__ import annotations

import time

import pytest
from prometheus_client.parser import text_string_to_metric_families
from test_serve import free_port, get, serve  # noqa: F401  (the fixture and its helpers)

from core.api import Job, enqueue
from core.cli.server import server_folder
from core.errors import ConfigError
from core.extensions import db
from core.jobs import queue
from core.testing import plugin_module

TOKEN = "metrics-token-for-tests-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, its labels): value} of a Prometheus text exposition."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


def scrape(client) -> str:
    answer = client.get("/metrics", headers=BEARER)
    assert answer.status_code == 200, answer.text
    assert answer.mimetype == "text/plain"
    return answer.text


def test_metrics_do_not_exist_unless_a_token_is_set(app, client):
    assert client.get("/metrics").status_code == 404
    assert "metrics.metrics" not in app.view_functions


def test_metrics_answer_only_the_bearer_of_the_token(make_app):
    client = make_app(TRELLIS_METRICS_TOKEN=TOKEN).test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        refused = client.get("/metrics", headers=headers)
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith(
            "Bearer"
        )
        assert TOKEN not in refused.text
    assert "trellis_http_request_duration_seconds" in scrape(client)


def test_a_short_token_is_refused_at_start_naming_the_setting(make_app):
    with pytest.raises(ConfigError, match="TRELLIS_METRICS_TOKEN") as refused:
        make_app(TRELLIS_METRICS_TOKEN="short")
    assert "short" not in str(refused.value).replace("TRELLIS", "")


def test_request_latency_is_counted_per_route_and_status_class(make_app):
    client = make_app(TRELLIS_METRICS_TOKEN=TOKEN).test_client()
    count = "trellis_http_request_duration_seconds_count"
    ok = {"endpoint": "health.healthz", "method": "GET", "status": "2xx"}
    missing = {"endpoint": "unmatched", "method": "GET", "status": "4xx"}
    before = scrape(client)
    for _ in range(3):
        client.get("/healthz")
    client.get("/no/such/page/4711")
    client.open("/healthz", method="BREW")  # an odd method does not make a series of its own
    after = scrape(client)
    assert value(after, count, **ok) - value(before, count, **ok) == 3
    assert value(after, count, **missing) - value(before, count, **missing) == 1
    assert "4711" not in after and "BREW" not in after  # the route's name, never the path
    assert value(after, "trellis_http_request_duration_seconds_bucket", **ok, le="+Inf") >= 3


def test_job_runs_and_failures_are_counted_per_job(register_plugin):
    def fails():
        raise RuntimeError("no luck")

    jobs = [Job("probe.fine", "Fine", lambda: "ok"), Job("probe.fails", "Fails", fails)]
    client = register_plugin(
        plugin_module("probe", trellis_jobs=lambda: jobs), TRELLIS_METRICS_TOKEN=TOKEN
    ).test_client()
    before = scrape(client)
    enqueue("probe.fine")
    enqueue("probe.fails")  # immediate mode: run (and fail, Huey logs it) now
    after = scrape(client)
    runs, failures = "trellis_job_runs_total", "trellis_job_failures_total"
    assert value(after, runs, job="probe.fine") - value(before, runs, job="probe.fine") == 1
    assert value(after, runs, job="probe.fails") - value(before, runs, job="probe.fails") == 1
    assert (
        value(after, failures, job="probe.fails") - value(before, failures, job="probe.fails") == 1
    )
    assert value(after, failures, job="probe.fine") == value(before, failures, job="probe.fine")


def test_the_queue_depth_is_read_when_scraped(make_app):
    client = make_app(TRELLIS_METRICS_TOKEN=TOKEN, TRELLIS_JOBS="queue").test_client()
    queue().flush()
    assert value(scrape(client), "trellis_job_queue_depth") == 0
    enqueue("core.follow_ups")
    enqueue("core.pool_recycle")
    assert value(scrape(client), "trellis_job_queue_depth") == 2
    queue().flush()


def test_the_database_pool_gauges_follow_connections(make_app):
    client = make_app(TRELLIS_METRICS_TOKEN=TOKEN).test_client()
    idle = scrape(client)
    assert value(idle, "trellis_db_pool_size") >= 1
    with db.engine.connect():
        busy = scrape(client)
    assert (
        value(busy, "trellis_db_pool_checked_out") == value(idle, "trellis_db_pool_checked_out") + 1
    )


def test_under_gunicorn_a_scrape_adds_up_every_process(serve, tmp_path, make_app):
    """Three gunicorn workers and the embedded job worker write their figures
    to the instance's folder; any worker's scrape shows them all."""
    instance, port = tmp_path / "instance", free_port()
    stale = server_folder(str(instance), "127.0.0.1", port) / "prometheus" / "counter_99999.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left over from the last run")
    # a job in the instance's queue for the embedded worker (another process) to run
    make_app(TRELLIS_JOBS="queue", TRELLIS_INSTANCE_PATH=str(instance))
    queue().flush()
    enqueue("core.follow_ups")
    [(_server, base)] = serve(instance, workers=3, port=port, TRELLIS_METRICS_TOKEN=TOKEN)
    assert not stale.exists()  # emptied at start
    assert get(base + "/metrics")[0] == 401
    for _ in range(20):
        assert get(base + "/healthz")[0] == 200
    count = "trellis_http_request_duration_seconds_count"
    ok = {"endpoint": "health.healthz", "method": "GET", "status": "2xx"}
    deadline = time.monotonic() + 60
    while True:  # whichever worker answers, it counts every worker's requests
        status, headers, body = get(base + "/metrics", BEARER)
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        assert value(body, count, **ok) >= 21  # the 20 and serve()'s own wait
        # the job ran in the embedded worker, a process of its own
        if value(body, "trellis_job_runs_total", job="core.follow_ups") >= 1:
            break
        assert time.monotonic() < deadline, body
        time.sleep(0.2)
    one_pool = db.engine.pool.size()
    # the answering gunicorn worker's pool and the job worker's at least, added up
    assert value(body, "trellis_db_pool_size") >= 2 * one_pool
