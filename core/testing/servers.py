"""Trellis as real processes, for tests of a set-up with several of them:
app servers (``trellis serve``: gunicorn) and job workers (``trellis
worker``), all started from one set of settings, each writing its output
to its own log file, all stopped however the test ends.

The commands are those of the reference deployment (``compose.yaml``, the
systemd units in ``deploy/systemd/``): :data:`SERVE` and :data:`WORKER`,
and :data:`SHARED_SETTINGS` are what every process of one installation must
be given alike. ``tests/test_deploy_files.py`` holds the deployment files to
them.

Also a provider's server for the tests of what Trellis sends:
:class:`TwilioLike` (the fixture ``trellis_sms_server``) answers like
Twilio's Messages resource on a free local port.

Not imported by :mod:`core.testing` itself: a test that wants processes or
the SMS server imports this module.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote

import pytest

#: ``trellis`` as this interpreter runs it (the console script may not be on PATH)
TRELLIS = (sys.executable, "-m", "core.cli")
#: an app server: the ``trellis`` arguments before ``--host``/``--port``/``--workers``
SERVE = ("serve",)
#: a job worker
WORKER = ("worker",)
#: the one-shot migration every release runs before its app servers start
MIGRATE = ("db", "upgrade")
#: the settings every process of one installation must share: one database,
#: one Redis (rate limits, the job queue), one key signing the sessions, the
#: keys personal data is encrypted with, one
#: instance folder (uploads, ``trellis.toml``), production mode behind a proxy
SHARED_SETTINGS = (
    "TRELLIS_DATABASE_URL",
    "TRELLIS_REDIS_URL",
    "TRELLIS_SECRET_KEY",
    "TRELLIS_PII_KEYS",
    "TRELLIS_INSTANCE_PATH",
    "TRELLIS_ENV",
    "TRELLIS_PROXIES",
    "TRELLIS_JOBS",
)
#: how long a process may take to start (two cores, the whole suite beside it)
START_SECONDS = 90


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any ``TRELLIS_*`` variable (the
    test suite's own included), plus ``settings``: a child sees exactly the
    settings it is given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
    return {**env, "PYTHONUNBUFFERED": "1", **settings}


def trellis(args: Sequence[str], settings: Mapping[str, str], timeout: float = 120) -> str:
    """Run a one-shot ``trellis`` command; its output, or RuntimeError with it."""
    done = subprocess.run(
        [*TRELLIS, *args],
        env=environment(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"trellis {' '.join(args)} exited {done.returncode}:\n{done.stdout}")
    return done.stdout


@dataclass
class Process:
    """A long-running ``trellis`` command in its own process group."""

    name: str
    popen: subprocess.Popen
    log: Path
    #: the signal that stops it gently: SIGTERM for a server; SIGINT for a
    #: worker, which Huey takes as "finish the running jobs, then stop"
    stop_signal: int = signal.SIGTERM
    signalled: bool = False

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def running(self) -> bool:
        return self.popen.poll() is None

    def signal_stop(self) -> None:
        """Ask it to stop (:attr:`stop_signal`, once: a second signal would cut
        its shutdown short); :meth:`stop` waits for it."""
        if self.running() and not self.signalled:
            self.signalled = True
            with contextlib.suppress(ProcessLookupError):
                self.popen.send_signal(self.stop_signal)

    def stop(self, timeout: float = 30) -> int | None:
        """Stop it gently, then its whole group by force after ``timeout``."""
        self.signal_stop()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)  # what it started and left behind
        return self.popen.wait(timeout=10)


def start(
    name: str,
    args: Sequence[str],
    settings: Mapping[str, str],
    logs: Path,
    stop_signal: int = signal.SIGTERM,
) -> Process:
    """Start ``trellis <args>`` in a new session (its own process group), its
    output in ``logs/<name>.log``."""
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            [*TRELLIS, *args],
            env=environment(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Process(name, popen, log, stop_signal)


def wait_until_answering(url: str, process: Process, timeout: float = START_SECONDS) -> None:
    """Wait until ``url`` answers (any HTTP status); RuntimeError with the
    process's log if it exits first or does not answer in ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            pass
        if not process.running():
            raise RuntimeError(f"{process.name} exited before answering:\n{process.output()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{process.name}: no answer at {url}:\n{process.output()}")
        time.sleep(0.2)


@dataclass
class Installation:
    """App servers and job workers of one installation, running."""

    servers: list[Process] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    workers: list[Process] = field(default_factory=list)
    #: when the first process was started
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def stop_workers(self) -> None:
        """Stop the workers gently: the jobs they run finish first."""
        _stop_all(self.workers, timeout=60)

    def stop(self) -> None:
        _stop_all([*self.workers, *self.servers], timeout=30)


def _stop_all(processes: list[Process], timeout: float) -> None:
    """Ask every process to stop at once, then wait for each."""
    for process in processes:
        process.signal_stop()
    for process in processes:
        process.stop(timeout)


@contextlib.contextmanager
def running(
    settings: Mapping[str, str], logs: Path, servers: int = 2, workers: int = 2
) -> Iterator[Installation]:
    """``servers`` app servers (``trellis serve --workers 1``, each on a free
    port of 127.0.0.1) and ``workers`` job workers, all on ``settings``;
    yields once every server answers, stops them all afterwards."""
    found = Installation()
    try:
        for n in range(1, servers + 1):
            port = free_port()
            args = [*SERVE, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
            found.servers.append(start(f"app{n}", args, settings, logs))
            found.urls.append(f"http://127.0.0.1:{port}")
        for n in range(1, workers + 1):
            found.workers.append(start(f"worker{n}", WORKER, settings, logs, signal.SIGINT))
        for url, server in zip(found.urls, found.servers, strict=True):
            wait_until_answering(f"{url}/login", server)
        yield found
    finally:
        found.stop()


#: the account and token the SMS server accepts (basic auth), and the sending number
TWILIO_ACCOUNT, TWILIO_TOKEN, TWILIO_FROM = "AC" + "0" * 32, "test-token", "+15005550006"


class TwilioLike:
    """A local HTTP server answering like Twilio's Messages resource
    (``POST /2010-04-01/Accounts/{sid}/Messages.json``): ``201`` with a
    ``SM…`` sid for each text it takes, kept in :attr:`messages` (``To``,
    ``From``, ``Body``, ``auth``: the basic-auth user and password); every
    request, taken or not, in :attr:`requests`.

    A test switches on the answers a provider gives: ``reject`` (numbers
    answered ``400`` with Twilio's error 21211, an invalid number),
    ``answers`` (HTTP statuses answered next, one per request: ``429``,
    ``503``, ``500`` …), ``defer_after`` (after that many texts taken,
    every request is answered ``429``). Wrong credentials are a ``401``
    (error 20003). :attr:`url` is the ``TRELLIS_SMS_URL`` to send through it.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.url = (
            f"twilio+http://{TWILIO_ACCOUNT}:{TWILIO_TOKEN}@127.0.0.1:{self.port}/"
            f"?from={quote(TWILIO_FROM)}"
        )
        self.messages: list[dict[str, str]] = []
        self.requests: list[dict[str, str]] = []
        self.reject: set[str] = set()
        self.answers: list[int] = []
        self.defer_after: int | None = None
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def to(self) -> list[str]:
        """Every text's ``To``, in the order they came."""
        return [m["To"] for m in self.messages]

    def answer(self, path: str, form: dict[str, str], auth: str) -> tuple[int, dict]:
        """The status and JSON body for one request (the handler's logic)."""
        user, _, password = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
        with self.lock:
            self.requests.append({**form, "path": path, "auth": f"{user}:{password}"})
            if (user, password) != (TWILIO_ACCOUNT, TWILIO_TOKEN):
                return 401, _twilio_error(401, 20003, "Authenticate")
            if path != f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Messages.json":
                return 404, _twilio_error(404, 20404, "The requested resource was not found")
            if self.answers:
                status = self.answers.pop(0)
                return status, _twilio_error(status, 20429 if status == 429 else 20500, "Busy")
            if self.defer_after is not None and len(self.messages) >= self.defer_after:
                return 429, _twilio_error(429, 20429, "Too Many Requests")
            if form.get("To") in self.reject:
                text = f"The 'To' number {form['To']} is not a valid phone number."
                return 400, _twilio_error(400, 21211, text)
            sid = "SM" + uuid.uuid4().hex
            self.messages.append({**form, "auth": f"{user}:{password}", "sid": sid})
        body = {
            "sid": sid,
            "account_sid": TWILIO_ACCOUNT,
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body"),
            "status": "queued",
            "num_segments": "1",
            "uri": f"{path[:-5]}/{sid}.json",
        }
        return 201, body

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                size = int(self.headers.get("Content-Length") or 0)
                raw = parse_qs(self.rfile.read(size).decode(), keep_blank_values=True)
                form = {key: values[-1] for key, values in raw.items()}
                auth = self.headers.get("Authorization", "")
                status, body = owner.answer(self.path, form, auth)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Quiet: the test asserts what arrived."""

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def _twilio_error(status: int, code: int, message: str) -> dict:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@pytest.fixture
def trellis_sms_server() -> Iterator[TwilioLike]:
    """A :class:`TwilioLike` server, started; stopped after the test."""
    server = TwilioLike()
    server.start()
    yield server
    server.stop()
