"""What a plugin is made of — models, migrations, blueprints, commands,
folders, settings — and the moment it is enabled or upgraded."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core.hookspecs.markers import hookspec

if TYPE_CHECKING:  # annotations only: the models import much of core
    import click
    from flask import Blueprint, Flask
    from marshmallow import Schema


# --------------------------------------------------------------------- structure


@hookspec
def trellis_models() -> list[type]:
    """Return the plugin's model classes (a list of mapped classes).

    Called once when the application is built. Import your ``models`` module
    inside the implementation, so a disabled plugin's tables never join the
    metadata. Table names must start with ``<plugin name>_``. Core uses the
    answer to know which tables belong to which plugin, e.g. when it
    autogenerates one plugin's migration.

    Example::

        @hookimpl
        def trellis_models():
            from . import models
            return [models.Deal, models.Pipeline]
    """


@hookspec
def trellis_migrations_dir() -> str | Path | None:
    """Return the path (``str`` or ``Path``) of the plugin's Alembic versions folder.

    Called whenever Trellis builds its Alembic configuration. Optional: a
    plugin package with a ``migrations/versions/`` folder needs no
    implementation. The folder holds the plugin's own version tree: its first revision has
    ``branch_labels = ("<plugin name>",)`` and ``depends_on`` core's first
    revision. ``trellis db upgrade`` migrates core and every enabled plugin.
    """


@hookspec
def trellis_blueprints() -> list[Blueprint]:
    """Return a list of Flask blueprints for web pages.

    Called once when the application is built. Register your pages under
    ``/<plugin>/...`` (set ``url_prefix`` on the blueprint).
    """


@hookspec
def trellis_api_blueprints() -> list[Blueprint]:
    """Return a list of Flask blueprints for the JSON API.

    Called once when the application is built. Each is mounted under
    ``/api/v1/<plugin name>``, unless it declares its own ``url_prefix``
    below ``/api/v1/`` (service_dispatch uses ``/api/v1/service``); any other
    ``url_prefix`` is ignored. Make them ``core.api.ApiBlueprint``s, so
    their endpoints join the OpenAPI document.
    """


@hookspec
def trellis_cli_commands() -> list[click.Command]:
    """Return a list of ``click`` commands or groups to add to ``trellis``.

    Called when the ``trellis`` command line starts. Commands run inside an
    application context. Example: a ``sales`` group adds ``trellis sales import``.
    """


@hookspec
def trellis_templates_dir() -> str | Path | None:
    """Return the path of the plugin's ``templates`` folder, or ``None``.

    Called once when the application is built. Optional: a plugin package
    with a ``templates/`` folder needs no implementation. Templates are looked
    up theme first, then plugins, then core; keep yours under
    ``templates/<plugin>/``.
    """


@hookspec
def trellis_translations_dir() -> str | Path | None:
    """Return the path of the plugin's ``translations`` folder, or ``None``.

    Called once when the application is built. Optional: a plugin package
    with a ``translations/`` folder needs no implementation. The catalogues in
    it form the translation domain named after the plugin, so message ids of two plugins
    never collide. Use ``core.api.translator("<plugin>")`` to get ``_``.
    """


@hookspec
def trellis_settings_schema() -> type[Schema] | None:
    """Return a marshmallow ``Schema`` class for the plugin's settings, or ``None``.

    Called once when the application is built. The plugin's settings are read
    from the ``[plugins_settings.<plugin>]`` table of the instance
    ``trellis.toml``, loaded through this schema (defaults filled in), and
    offered back as ``core.api.plugin_settings("<plugin>")``. Invalid settings
    stop start-up with a message naming the plugin and the field.
    """


@hookspec
def trellis_app_created(app: Flask) -> None:
    """Called once the application is fully built, with every plugin loaded.

    ``app`` is the Flask application. Use it for set-up that needs the whole
    app (registering template filters, context processors, request hooks).
    Returns nothing.
    """


@hookspec
def trellis_plugin_synced(previous_version: str | None) -> None:
    """The plugin was just enabled on this instance, or upgraded.

    Called on that plugin alone (not on the others) by ``trellis plugins
    sync``, ``trellis db upgrade`` and ``trellis init``, once its migrations
    have run and its permissions have been granted to their default roles.
    ``previous_version`` is ``None`` the first time, else the plugin version
    synced before. It runs inside the transaction that records the new
    version: raise to refuse, and nothing of this sync is kept (the next
    sync calls it again). Seed reference data here — default pipelines,
    categories — rather than in a migration. Returns nothing.

    Example::

        @hookimpl
        def trellis_plugin_synced(previous_version):
            if previous_version is None:
                db.session.add(Category(name="General"))
    """
