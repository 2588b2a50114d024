"""``trellis worker`` and ``trellis jobs`` (list, enqueue, run-due): the CLI
side of :mod:`core.jobs`, and the worker a single-machine server runs beside
itself. The worker writes a heartbeat (:mod:`core.ops.heartbeat`) that
``/readyz`` reads."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys

import click
from flask import Flask

from core.cli.base import _app, _child, echo_table, with_app, with_database
from core.i18n import _
from core.jobs import enqueue, queue, queue_name, run_all_periodic, uses_embedded_worker
from core.ops.heartbeat import start_beating

log = logging.getLogger(__name__)

WORKER_COMMAND = [sys.executable, "-c", "from core.cli import main; main()", "worker"]


@click.command()
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 32))
@with_database
def worker(threads: int) -> None:
    """Run queued jobs and the one scheduler of periodic jobs (Ctrl-C stops)."""
    huey = queue()
    if huey.immediate:
        raise click.UsageError(_("TRELLIS_JOBS=immediate runs jobs when queued; no worker needed"))
    storage = type(huey.storage).__name__
    # text: a plain line format (with TRELLIS_LOG_FORMAT=json the app set JSON lines up)
    logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("core").setLevel(logging.INFO)  # a line per job done
    log.info(_("Worker: %(threads)s threads on %(storage)s", threads=threads, storage=storage))
    app = _app()
    # until Huey's consumer sets its own handlers, SIGTERM stops the worker cleanly
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    stop = start_beating(app, queue_name(app))
    try:
        huey.create_consumer(workers=threads, worker_type="thread", periodic=True).run()
    finally:
        stop.set()


def embedded_worker(app: Flask) -> contextlib.AbstractContextManager:
    """For a single-machine install (SQLite queue) run one worker beside the server."""
    return _child(WORKER_COMMAND) if uses_embedded_worker(app) else contextlib.nullcontext()


@click.group()
def jobs() -> None:
    """Background jobs."""


@jobs.command("list")
@with_app
def jobs_list() -> None:
    """The jobs core and the enabled plugins declare."""
    echo_table(
        [
            job.code,
            _("every %(minutes)s min", minutes=job.every_minutes)
            if job.every_minutes
            else _("on demand"),
            str(job.title),
        ]
        for job in _app().extensions["trellis"].jobs.values()
    )


@jobs.command("enqueue")
@click.argument("code")
@with_database
def jobs_enqueue(code: str) -> None:
    """Queue job CODE for the worker."""
    enqueue(code)
    click.echo(_("Queued %(code)s", code=code))


@jobs.command("run-due")
@with_database
def jobs_run_due() -> None:
    """Run every periodic job once, now (idempotent; for cron instead of a worker).

    A job whose slot another process (a worker, cron on another server) has
    run already is skipped."""
    for code, outcome in run_all_periodic():
        if outcome is None:
            outcome = _("skipped, another process has run it for this time slot")
        click.echo(f"{code}: {outcome}")
