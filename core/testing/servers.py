"""Trellis as real processes, for tests of a set-up with several of them:
app servers (``trellis serve``: gunicorn) and job workers (``trellis
worker``), all started from one set of settings, each writing its output
to its own log file, all stopped however the test ends.

The commands are those of the reference deployment (``compose.yaml``, the
systemd units in ``deploy/systemd/``): :data:`SERVE` and :data:`WORKER`,
and :data:`SHARED_SETTINGS` are what every process of one installation must
be given alike. ``tests/test_deploy_files.py`` holds the deployment files to
them.

Not imported by :mod:`core.testing` itself: a test that wants processes
imports this module.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

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
