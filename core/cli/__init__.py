"""The ``trellis`` command line: :func:`main` and its commands, one module
per command or group.

- :mod:`core.cli.init` — ``init``
- :mod:`core.cli.server` — ``run``, ``serve``
- :mod:`core.cli.db` — ``db upgrade|downgrade|current|revision``
- :mod:`core.cli.plugins` — ``plugins list``
- :mod:`core.cli.users` — ``users create|list|set-password|token``
- :mod:`core.cli.jobs` — ``jobs list|enqueue|run-due``, ``worker``
- :mod:`core.cli.backup` — ``backup``, ``restore``
- :mod:`core.cli.search` — ``search rebuild``
- :mod:`core.cli.pii` — ``pii new-key|rotate``
- :mod:`core.cli.imports` — ``import FILE --target … [--mapping NAME] [--dry-run]``
- :mod:`core.cli.base` — the app a command runs in, one-line errors, the group

Every command works without prompts (scripts and CI drive it); ``init``
prompts only for what is missing and only on a terminal. User errors print
one line and exit 1, with nothing written. Plugins add commands through
``trellis_cli_commands``.
"""

from __future__ import annotations

import click

from core import __version__
from core.cli import backup, db, init, jobs, pii, plugins, search, server, users
from core.cli.base import TrellisGroup
from core.cli.imports import import_file

CORE_COMMANDS = (
    "init",
    "run",
    "serve",
    "db",
    "plugins",
    "users",
    "jobs",
    "worker",
    "backup",
    "restore",
    "search",
    "pii",
    "import",
)


@click.group(cls=TrellisGroup)
@click.version_option(__version__, prog_name="trellis")
def main() -> None:
    """Trellis — a self-hosted CRM. Settings come from TRELLIS_* variables."""


for command in (
    init.init,
    server.run,
    server.serve,
    db.db,
    plugins.plugins,
    users.users,
    jobs.jobs,
    jobs.worker,
    backup.backup,
    backup.restore,
    search.search,
    pii.pii,
    import_file,
):
    main.add_command(command)
