"""What every ``trellis`` command stands on: the app it runs against, user
errors as one line and exit 1 (:func:`with_app`; :func:`with_database` for
commands that need a migrated database), tables that line up in Chinese
(:func:`echo_table`), the command group that
adds the plugins' commands, and child processes that stop with the command.
"""

from __future__ import annotations

import contextlib
import functools
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence

import click
from alembic.util import CommandError
from flask import Flask
from wcwidth import wcswidth

from core.errors import TrellisError
from core.extensions import db
from core.i18n import _


def _cells(text: str) -> int:
    """The cells ``text`` takes on a terminal: two for a Chinese character."""
    width = wcswidth(text)
    return len(text) if width < 0 else width  # a control character: count it as one


def echo_table(rows: Iterable[Sequence[str]]) -> None:
    """Print ``rows`` (the header first) as columns two spaces apart, each
    as wide as its widest cell on screen, so that Chinese words, which take
    two cells a character, line up with English ones."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths: list[int] = []
    for row in rows:
        for i, cell in enumerate(row[:-1]):
            if i == len(widths):
                widths.append(0)
            widths[i] = max(widths[i], _cells(cell))
    for row in rows:
        padded = [cell + " " * (widths[i] - _cells(cell)) for i, cell in enumerate(row[:-1])]
        click.echo("  ".join([*padded, *row[-1:]]).rstrip())


def _fail(message: str):
    """One line on stderr, exit 1. In the instance's language inside an app
    context; before an app exists (a wrong setting) it stays English."""
    click.echo(_("Error: %(message)s", message=message), err=True)
    sys.exit(1)


def _app() -> Flask:
    ctx = click.get_current_context()
    root = ctx.find_root()
    if isinstance(root.obj, Flask):  # tests and embedders hand the CLI their app
        return root.obj
    if "app" not in root.meta:
        from core.app import create_app

        try:
            root.meta["app"] = create_app()
        except TrellisError as exc:
            _fail(str(exc))
    return root.meta["app"]


def with_app(fn):
    """Run the command inside an app context; turn TrellisErrors into one line."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        app = _app()
        with app.app_context():
            try:
                return fn(*args, **kwargs)
            except TrellisError as exc:
                _fail(str(exc))
            except CommandError as exc:  # Alembic's own user errors
                _fail(_("migration: %(error)s", error=str(exc)))

    return wrapper


def with_database(fn):
    """:func:`with_app` for commands that use the database: it must be
    reachable and migrated (not behind nor ahead of the code), else one line
    naming what to run. Commands that create or migrate it use ``with_app``."""

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        from core import migrate as mig

        st = mig.status()  # checks the connection first
        if not st.unknown and not any(st.current.values()):
            url = db.engine.url.render_as_string(hide_password=True)
            _fail(
                _(
                    "the database at %(url)s is not initialised: "
                    "run `trellis init` (or `trellis db upgrade`)",
                    url=url,
                )
            )
        mig.ensure_current()
        return fn(*args, **kwargs)

    return with_app(checked)


class TrellisGroup(click.Group):
    """Core's commands plus those plugins add through ``trellis_cli_commands``."""

    def _plugin_commands(self) -> dict[str, click.Command]:
        ctx = click.get_current_context(silent=True)
        if ctx is None:
            return {}
        try:
            app = _app()
        except SystemExit:
            return {}
        commands = {}
        for _name, answer in app.extensions["trellis"].answers("trellis_cli_commands"):
            for cmd in answer or ():
                commands[cmd.name] = cmd
        return commands

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._plugin_commands()))

    def get_command(self, ctx, name):
        cmd = super().get_command(ctx, name)
        if cmd is None:
            cmd = self._plugin_commands().get(name)
            if cmd is not None:
                cmd = _in_app_context(cmd)
        return cmd


def _in_app_context(cmd: click.Command) -> click.Command:
    original = cmd.invoke

    def invoke(ctx):
        with _app().app_context():
            try:
                return original(ctx)
            except TrellisError as exc:
                _fail(str(exc))

    cmd.invoke = invoke  # type: ignore[method-assign]  # wraps this command in an app context
    return cmd


@contextlib.contextmanager
def _child(command: list[str]) -> Iterator[subprocess.Popen]:
    """A child process that is stopped (SIGTERM, then SIGKILL after 30 s)
    however the block ends; started inside the ``try`` so that a SIGTERM
    arriving at any moment cannot leave it running on its own."""
    process = None
    try:
        process = subprocess.Popen(command)
        yield process
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
