"""``trellis`` commands run inside the test's own process, as the console
script runs them: :func:`run_trellis` answers like ``subprocess.run`` does
(``returncode``, ``stdout``, ``stderr``).

A new ``trellis`` process costs seconds before its command starts — the
imports, every model's mapper, the app — and a migration test runs several.
Here the command runs through click's ``CliRunner`` with exactly the
``TRELLIS_*`` settings it is given in the environment (none of the test
process's own), on stdin that is not a terminal; the app it builds is
closed afterwards. What a process adds is kept: an exception that escapes
the command is written to ``stderr`` as Python would print it
(``Traceback (most recent call last): …``) with exit status 1. A test of
the console script itself, or of a process that must keep running
(``serve``, ``worker``), starts a real process.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass
class Completed:
    """What a finished command left, named as ``subprocess.CompletedProcess``'s."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def run_trellis(
    *args: str, env: Mapping[str, str] | None = None, stdin: str | None = None
) -> Completed:
    """Run ``trellis <args>`` in this process with the ``TRELLIS_*``
    settings of ``env`` (the others of ``env`` are ignored) and ``stdin``."""
    from click.testing import CliRunner

    import core.app
    from core.cli import main

    given = {k: v for k, v in (env or {}).items() if k.startswith("TRELLIS_")}
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("TRELLIS_")}
    built = []
    create_app = core.app.create_app

    def recording_create_app(*a, **kw):
        app = create_app(*a, **kw)
        built.append(app)
        return app

    core.app.create_app = recording_create_app
    try:
        result = CliRunner().invoke(
            main, list(args), input=stdin, env={**unset, **given}, prog_name="trellis"
        )
    finally:
        core.app.create_app = create_app
        for app in built:
            _close(app)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        exc = result.exception
        stderr += "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return Completed(["trellis", *args], result.exit_code, result.stdout, stderr)


def _close(app) -> None:
    """Close what the command's app holds open: its database connections."""
    from core.extensions import db

    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
