"""``trellis worker`` and ``trellis jobs`` (list, enqueue, run-due): the CLI
side of :mod:`core.jobs`, and the worker a single-machine server runs beside
itself."""

from __future__ import annotations

import contextlib
import logging
import sys

import click
from flask import Flask

from core.cli.base import _app, _child, with_app, with_database
from core.i18n import _
from core.jobs import enqueue, queue, run_all_periodic, uses_embedded_worker

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
    click.echo(
        _("Worker: %(threads)s threads on %(storage)s", threads=threads, storage=storage), err=True
    )
    logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("core.jobs").setLevel(logging.INFO)  # a line per job done
    huey.create_consumer(workers=threads, worker_type="thread", periodic=True).run()


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
    for job in _app().extensions["trellis"].jobs.values():
        every = (
            _("every %(minutes)s min", minutes=job.every_minutes)
            if job.every_minutes
            else _("on demand")
        )
        click.echo(f"{job.code:<28} {every:<16} {job.title}")


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
    """Run every periodic job once, now (idempotent; for cron instead of a worker)."""
    for code, outcome in run_all_periodic():
        click.echo(f"{code}: {outcome}")
