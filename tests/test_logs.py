"""Request ids and JSON log lines: an id for every request, echoed and
carried into the jobs it queues; with ``TRELLIS_LOG_FORMAT=json`` every line
a real server and a real worker write is one JSON object."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask import Blueprint
from test_serve import get, serve  # noqa: F401  (the fixture and its GET)

from core.api import Job, enqueue
from core.errors import ConfigError
from core.jobs import queue
from core.ops.logs import current_request_id
from core.testing import plugin_module

TRELLIS = str(Path(sys.executable).parent / "trellis")
FIELDS = {"time", "level", "logger", "message", "request_id"}
REDIS = "redis://127.0.0.1:6379/15"


def enqueuing_plugin(code: str):
    """A plugin whose page ``/probe/queue`` queues job ``code``."""
    bp = Blueprint("probe", __name__, url_prefix="/probe")
    bp.add_url_rule("/queue", "queue", lambda: (enqueue(code), "queued")[1])
    return bp


def test_a_sane_request_id_is_kept_and_echoed(client):
    answer = client.get("/healthz", headers={"X-Request-Id": "edge-7f3a.42:b"})
    assert answer.headers["X-Request-Id"] == "edge-7f3a.42:b"


@pytest.mark.parametrize(
    "incoming", [None, "", "two words", 'quote"d', "x" * 129, "-leading-dash", "ünïcode"]
)
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(client, incoming):
    headers = {} if incoming is None else {"X-Request-Id": incoming}
    first = client.get("/healthz", headers=headers).headers["X-Request-Id"]
    second = client.get("/healthz", headers=headers).headers["X-Request-Id"]
    assert first != incoming and len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_a_job_queued_in_a_request_runs_with_its_id(register_plugin):
    seen = []
    job = Job("probe.note", "Note", lambda: seen.append(current_request_id()))
    register_plugin(
        plugin_module(
            "probe",
            trellis_jobs=lambda: [job],
            trellis_blueprints=lambda: [enqueuing_plugin(job.code)],
        )
    )
    from flask import current_app

    answer = current_app.test_client().get("/probe/queue", headers={"X-Request-Id": "req-1"})
    assert answer.text == "queued" and seen == ["req-1"]  # immediate mode: run in the request


def test_a_wrong_log_format_names_the_setting(make_app):
    with pytest.raises(ConfigError, match="TRELLIS_LOG_FORMAT"):
        make_app(TRELLIS_LOG_FORMAT="xml")


def json_lines(output: str) -> list[dict]:
    """Every line of ``output`` as a JSON object (fails on a line that is not one)."""
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines
    parsed = []
    for line in lines:
        record = json.loads(line)
        assert FIELDS <= set(record), line
        parsed.append(record)
    return parsed


def test_the_worker_logs_a_queued_job_in_json_with_the_request_id(
    register_plugin, trellis_database, tmp_path
):
    app = register_plugin(
        plugin_module("probe", trellis_blueprints=lambda: [enqueuing_plugin("core.follow_ups")]),
        TRELLIS_JOBS="queue",
    )
    queue().flush()
    app.test_client().get("/probe/queue", headers={"X-Request-Id": "req-from-the-web"})
    assert queue().pending_count() == 1
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
    environ.update(
        TRELLIS_DATABASE_URL=trellis_database,
        TRELLIS_INSTANCE_PATH=str(tmp_path),
        TRELLIS_SECRET_KEY="test-secret",
        TRELLIS_LOG_FORMAT="json",
    )
    worker = subprocess.Popen(
        [TRELLIS, "worker", "--threads", "1"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(worker.stdout or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any("job core.follow_ups done" in line for line in lines):
            assert time.monotonic() < deadline and worker.poll() is None, "".join(lines)
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        reader.join(timeout=30)
    output = "".join(lines)
    records = json_lines(output)
    done = [r for r in records if r["message"].startswith("job core.follow_ups done")]
    # the job is also periodic: when the test runs at a quarter past, the worker's
    # scheduler runs it once more, on no request (its line carries no id)
    periodic = sum(
        r["message"].startswith("Executing core.jobs.trellis.every.core.follow_ups")
        for r in records
    )
    ids = [r["request_id"] for r in done]
    expected = ["req-from-the-web"] + [None] * periodic
    assert sorted(ids, key=str) == sorted(expected, key=str), output
    queued = next(r for r in done if r["request_id"] == "req-from-the-web")
    assert queued["logger"] == "core.jobs" and queued["level"] == "INFO", output


def test_under_serve_every_line_is_json_and_the_access_line_has_the_id(serve, tmp_path):
    [(server, base)] = serve(
        tmp_path / "instance", TRELLIS_LOG_FORMAT="json", TRELLIS_REDIS_URL=REDIS
    )
    status, headers, _body = get(base + "/readyz", {"X-Request-Id": "probe-0042"})
    assert headers["X-Request-Id"] == "probe-0042"
    server.terminate()
    records = json_lines(server.communicate(timeout=60)[0])
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    assert any(r["request_id"] == "probe-0042" and "/readyz" in r["message"] for r in access)
    assert any(r["logger"] == "gunicorn.error" for r in records)  # gunicorn's own lines too
