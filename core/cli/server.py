"""``trellis run`` (the development server) and ``trellis serve`` (gunicorn);
both refuse an unmigrated database and start the embedded job worker when
the install needs one."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import signal
import socket
import sys
from pathlib import Path

import click
from flask import Flask

from core.cli.base import _app, _child, with_app
from core.cli.jobs import embedded_worker
from core.ops.metrics import MULTIPROC_FOLDER, prepare_multiprocess_folder
from core.ops.metrics import enabled as metrics_enabled

log = logging.getLogger(__name__)
#: gunicorn's control socket (``gunicornc``), in the server's own folder: gunicorn's
#: default is one path in the home folder, which two servers on a host would share
CONTROL_SOCKET = "gunicorn.ctl"
#: a Unix socket's path holds at most 107 bytes on Linux; past that, no control socket
MAX_SOCKET_PATH = 100


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_app
def run(host: str, port: int) -> None:
    """Start the development server."""
    from core import migrate as mig

    mig.ensure_current()
    _stop_on_sigterm()
    with embedded_worker(_app()):
        _app().run(host=host, port=port, use_reloader=False, threaded=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@with_app
def serve(host: str, port: int, workers: int) -> None:
    """Start the production server (gunicorn)."""
    from core import migrate as mig

    mig.ensure_current()
    app = _app()
    folder = server_folder(app.instance_path, host, port)
    shutil.rmtree(folder, ignore_errors=True)  # a previous run's socket and figures
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.mkdir(mode=0o700)
    _environment_for_children(app, folder)
    _stop_on_sigterm()
    with embedded_worker(app), _child(gunicorn_command(folder, host, port, workers)) as server:
        server.wait()
    sys.exit(server.returncode)


def server_folder(instance_path: str, host: str, port: int) -> Path:
    """The folder of the server on ``host:port`` of this machine:
    ``run/<port>-<digest of the machine's name and the address>`` in the
    instance folder. Several servers may share an instance folder (on one
    host, or on shared storage); what is private to one — gunicorn's control
    socket, the files its processes keep their metrics in — must not be the
    others'."""
    where = f"{socket.gethostname()}|{host}|{port}".encode()
    return Path(instance_path) / "run" / f"{port}-{hashlib.sha256(where).hexdigest()[:8]}"


def gunicorn_command(folder: Path, host: str, port: int, workers: int) -> list[str]:
    """gunicorn with its settings module (:mod:`core.ops.gunicorn_config`)
    and a control socket in this server's ``folder``."""
    socket_path = folder / CONTROL_SOCKET
    control = ["--control-socket", str(socket_path)]
    if len(str(socket_path).encode()) > MAX_SOCKET_PATH:
        log.warning("no gunicorn control socket: its path would be too long (%s)", socket_path)
        control = ["--no-control-socket"]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:core.ops.gunicorn_config",
        "--workers",
        str(workers),
        "--bind",
        f"{host}:{port}",
        *control,
        "core.wsgi:app",
    ]


def _environment_for_children(app: Flask, folder: Path) -> None:
    """What gunicorn and the embedded worker inherit: the log format (read
    by gunicorn's settings module) and, when metrics are on, the folder in
    this server's own where each of its processes writes its figures."""
    os.environ["TRELLIS_LOG_FORMAT"] = app.config["TRELLIS_LOG_FORMAT"]
    if metrics_enabled(app):
        prepare_multiprocess_folder(folder / MULTIPROC_FOLDER)


def _stop_on_sigterm() -> None:
    """SIGTERM ends the server through ``finally`` blocks, so the processes it
    started (gunicorn, the embedded worker) stop with it."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
