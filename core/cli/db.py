"""``trellis db``: Alembic migrations of core and every enabled plugin
(upgrade, downgrade, current, revision); see :mod:`core.migrate`."""

from __future__ import annotations

import click

from core.cli.base import echo_table, with_app
from core.i18n import _


@click.group()
def db() -> None:
    """Database migrations (core and every enabled plugin)."""


@db.command("upgrade")
@with_app
def db_upgrade() -> None:
    """Migrate core and every enabled plugin to their newest revision, then
    grant newly enabled plugins their default permissions (as ``plugins sync``)."""
    from core.instance import sync_plugins

    for line in sync_plugins():
        click.echo(line)


@db.command("downgrade")
@click.argument("branch")
@click.argument("revision", default="-1")
@with_app
def db_downgrade(branch: str, revision: str) -> None:
    """Step BRANCH (core or a plugin) back to REVISION (-1, base or an id)."""
    from core import migrate as mig

    mig.downgrade(branch, revision)
    click.echo(_("Downgraded %(branch)s to %(revision)s", branch=branch, revision=revision))


@db.command("current")
@with_app
def db_current() -> None:
    """Show each branch's revision in the database and in the code."""
    from core import migrate as mig

    st = mig.status()
    table = []
    for branch, head in st.heads.items():
        now = st.current.get(branch) or _("(none)")
        state = _("up to date") if now == head else _("behind (code has %(head)s)", head=head)
        table.append([branch, now, state])
    for rev in st.unknown:
        table.append(["?", rev, _("unknown to this code (newer Trellis or removed plugin)")])
    echo_table(table)


@db.command("revision")
@click.argument("branch")
@click.option("-m", "--message", required=True)
@click.option("--empty", is_flag=True, help="Do not autogenerate; write an empty revision.")
@with_app
def db_revision(branch: str, message: str, empty: bool) -> None:
    """Write a new migration for BRANCH (core or a plugin), touching only its tables."""
    from core import migrate as mig

    click.echo(mig.new_revision(branch, message, autogenerate=not empty))
