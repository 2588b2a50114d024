"""``trellis run`` (the development server) and ``trellis serve`` (gunicorn);
both refuse an unmigrated database and start the embedded job worker when
the install needs one."""

from __future__ import annotations

import signal
import sys

import click

from core.cli.base import _app, _child, with_app
from core.cli.jobs import embedded_worker


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
    _stop_on_sigterm()
    with (
        embedded_worker(_app()),
        _child(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"{host}:{port}",
                "core.wsgi:app",
            ]
        ) as server,
    ):
        server.wait()
    sys.exit(server.returncode)


def _stop_on_sigterm() -> None:
    """SIGTERM ends the server through ``finally`` blocks, so the processes it
    started (gunicorn, the embedded worker) stop with it."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
