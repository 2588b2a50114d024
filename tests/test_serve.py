"""``trellis serve`` as operators run it: real gunicorn processes on real
ports; two instances on one host keep to their own control sockets."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

TRELLIS = str(Path(sys.executable).parent / "trellis")
GUNICORNC = str(Path(sys.executable).parent / "gunicornc")
REDIS = "redis://127.0.0.1:6379/15"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, headers: dict | None = None, timeout: float = 5) -> tuple[int, dict, str]:
    """(status, headers, body) of a GET, an HTTP error status included."""
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers or {}), timeout=timeout
        ) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


@pytest.fixture
def serve(trellis_database):
    """``serve(*instances, workers=1, port=None, **env)`` runs ``trellis
    serve`` for each instance folder on the test database, all at once (an
    instance folder named twice: two servers share it); returns a (process,
    base URL) for each once all answer /healthz. They are stopped (with all
    they started) at the end of the test. ``port``: the one server's."""
    started: list[subprocess.Popen] = []

    def run(
        *instances: Path, workers: int = 1, port: int | None = None, **env: str
    ) -> list[tuple[subprocess.Popen, str]]:
        servers = []
        for instance in instances:
            chosen = port or free_port()
            environ = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
            environ.update(
                TRELLIS_DATABASE_URL=trellis_database,
                TRELLIS_INSTANCE_PATH=str(instance),
                TRELLIS_SECRET_KEY="test-secret",
                **env,
            )
            process = subprocess.Popen(
                [TRELLIS, "serve", "--port", str(chosen), "--workers", str(workers)],
                env=environ,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            started.append(process)
            servers.append((process, f"http://127.0.0.1:{chosen}"))
        deadline = time.monotonic() + 90
        for process, base in servers:
            while True:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "the server did not answer /healthz"
                with contextlib.suppress(OSError):
                    if get(base + "/healthz", timeout=2)[0] == 200:
                        break
                time.sleep(0.2)
        return servers

    yield run
    for process in started:
        process.terminate()
    for process in started:
        process.wait(timeout=60)


@pytest.fixture
def short_folder():
    """A folder with a short path: a Unix socket's path holds at most 107
    bytes, and pytest's own temporary folders can be longer than that."""
    folder = Path(tempfile.mkdtemp(prefix="trellis-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_servers_on_one_host_each_have_their_own_control_socket(serve, short_folder):
    """Two instances, and a second server sharing the first's instance folder
    (as app servers on one host or on shared storage do): all three start,
    answer, and each listens on a control socket of its own."""
    a, b = short_folder / "a", short_folder / "b"
    servers = serve(a, b, a, TRELLIS_REDIS_URL=REDIS)  # Redis: no embedded worker to start
    for _process, url in servers:
        status, _headers, body = get(url + "/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
    sockets = sorted(a.glob("run/*/gunicorn.ctl")) + sorted(b.glob("run/*/gunicorn.ctl"))
    assert len(sockets) == 3 and all(stat.S_ISSOCK(s.stat().st_mode) for s in sockets)
    masters = set()
    for control in sockets:
        answer = subprocess.run(
            [GUNICORNC, "-s", str(control), "-c", "show stats", "-j"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        masters.add(json.loads(answer.stdout)["pid"])
    # each socket is answered by its own server's gunicorn (a child of its `trellis serve`)
    started = {pid for process, _url in servers for pid in children(process.pid)}
    assert len(masters) == 3 and masters <= started


def children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            if int(status.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(status.parent.name))
    return found
