"""``trellis plugins``: the plugins found — enabled, disabled or broken —
with version, origin and requirements. Further ``plugins`` subcommands
belong in this module, on the :func:`plugins` group."""

from __future__ import annotations

from pathlib import Path

import click

from core.cli.base import _app, _fail, echo_table, with_app
from core.errors import TrellisError
from core.i18n import _


@click.group()
def plugins() -> None:
    """Installed plugins."""


@plugins.command("list")
@with_app
def plugins_list() -> None:
    """Every plugin found, enabled or not, with version and requirements."""
    reg = _app().extensions["trellis"]
    rows = [(p, _("enabled")) for p in reg.plugins] + [(p, _("disabled")) for p in reg.disabled]
    table = [[_("NAME"), _("VERSION"), _("STATE"), _("ORIGIN"), _("REQUIRES"), _("TITLE")]]
    broken = _("broken")
    for info, state in rows:
        origin = _("built-in") if info.builtin else _("installed")
        if info.manifest is None:
            table.append([info.name, "?", broken, origin, "", info.error or ""])
            continue
        m = info.manifest
        table.append([m.name, m.version, state, origin, ", ".join(m.requires) or "-", m.title])
    echo_table(table)


@plugins.command("sync")
@with_app
def plugins_sync() -> None:
    """Bring the database in step with the enabled plugins: migrate each, grant
    its permissions to their default roles once, tell it it was enabled or
    upgraded. Run it after enabling, disabling or upgrading a plugin; running
    it again changes nothing."""
    from core.instance import sync_plugins

    for line in sync_plugins():
        click.echo(line)


@plugins.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to create trellis-NAME/.",
)
@click.option("--title", default=None, help="The plugin's English title (default: from NAME).")
@click.option("--title-zh", default=None, help="Its Chinese title (default: the English one).")
def plugins_new(name: str, directory: Path, title: str | None, title_zh: str | None) -> None:
    """Generate a pip-installable plugin, trellis-NAME/, in the one anatomy
    (see docs/tutorial.md). Nothing is overwritten: an existing folder or a bad
    name is refused with one line."""
    from core.scaffold import new_plugin

    try:
        folder = new_plugin(name, directory, title=title, title_zh=title_zh)
    except TrellisError as exc:
        _fail(str(exc))
    commands = f"cd {folder} && pip install -e '.[test]' && pytest"
    click.echo(_("Created %(folder)s", folder=folder))  # no app here: always English
    click.echo(_("Next: %(commands)s", commands=commands))
