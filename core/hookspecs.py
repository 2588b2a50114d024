"""Every hook a Trellis plugin can implement.

A plugin is a module (or object) with functions decorated by
``core.api.hookimpl`` and named after a spec below. Trellis calls each hook
through one plugin manager per application; never rely on the order in which
plugins answer: hooks that return lists give each item an ``order`` (or a
``key``), and core sorts them.

``docs/hooks.md`` is generated from this file (``make docs``); a test fails
when it is stale and when a hook here has no test that exercises it.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("trellis")

# --------------------------------------------------------------------- structure


@hookspec
def trellis_models():
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
def trellis_migrations_dir():
    """Return the path (``str`` or ``Path``) of the plugin's Alembic versions folder.

    Called whenever Trellis builds its Alembic configuration. Optional: a
    plugin package with a ``migrations/versions/`` folder needs no
    implementation. The folder holds the plugin's own version tree: its first revision has
    ``branch_labels = ("<plugin name>",)`` and ``depends_on`` core's first
    revision. ``trellis db upgrade`` migrates core and every enabled plugin.
    """


@hookspec
def trellis_blueprints():
    """Return a list of Flask blueprints for web pages.

    Called once when the application is built. Register your pages under
    ``/<plugin>/...`` (set ``url_prefix`` on the blueprint).
    """


@hookspec
def trellis_api_blueprints():
    """Return a list of Flask blueprints for the JSON API.

    Called once when the application is built. Each is mounted under
    ``/api/v1/<plugin name>``, whatever ``url_prefix`` it declares.
    """


@hookspec
def trellis_cli_commands():
    """Return a list of ``click`` commands or groups to add to ``trellis``.

    Called when the ``trellis`` command line starts. Commands run inside an
    application context. Example: a ``sales`` group adds ``trellis sales import``.
    """


@hookspec
def trellis_templates_dir():
    """Return the path of the plugin's ``templates`` folder, or ``None``.

    Called once when the application is built. Optional: a plugin package
    with a ``templates/`` folder needs no implementation. Templates are looked
    up theme first, then plugins, then core; keep yours under
    ``templates/<plugin>/``.
    """


@hookspec
def trellis_translations_dir():
    """Return the path of the plugin's ``translations`` folder, or ``None``.

    Called once when the application is built. Optional: a plugin package
    with a ``translations/`` folder needs no implementation. The catalogues in
    it form the translation domain named after the plugin, so message ids of two plugins
    never collide. Use ``core.api.translator("<plugin>")`` to get ``_``.
    """


@hookspec
def trellis_settings_schema():
    """Return a marshmallow ``Schema`` class for the plugin's settings, or ``None``.

    Called once when the application is built. The plugin's settings are read
    from the ``[plugins_settings.<plugin>]`` table of the instance
    ``trellis.toml``, loaded through this schema (defaults filled in), and
    offered back as ``core.api.plugin_settings("<plugin>")``. Invalid settings
    stop start-up with a message naming the plugin and the field.
    """


@hookspec
def trellis_app_created(app):
    """Called once the application is fully built, with every plugin loaded.

    ``app`` is the Flask application. Use it for set-up that needs the whole
    app (registering template filters, context processors, request hooks).
    Returns nothing.
    """


# -------------------------------------------------------------- declarations


@hookspec
def trellis_permissions():
    """Return a list of ``core.api.Permission`` the plugin declares.

    Called when the application is built. Names are dotted and start with the
    plugin's area (``sales.deal.read``). Roles grant permissions by name; a
    name declared twice stops start-up.
    """


@hookspec
def trellis_activity_kinds():
    """Return a list of ``core.api.ActivityKind`` the plugin adds to the timeline.

    Called when the application is built. Codes must be unique across core and
    plugins (core has call, email, meeting, visit, sms, wechat, note, task).
    Logging an activity of an unknown kind is a validation error.
    """


@hookspec
def trellis_custom_field_types():
    """Return a list of ``core.api.FieldType`` the plugin adds for custom fields.

    Called when the application is built. A field type has a ``code``, a
    ``label`` and a ``validate(value, definition)`` function that returns the
    cleaned value or raises ``ValueError`` with a readable message.
    """


@hookspec
def trellis_followup_rules():
    """Return a list of ``core.api.FollowUpRule`` the plugin registers.

    Called when the application is built. A rule turns a follow-up plan into
    due tasks: ``trellis jobs run-due`` calls ``rule.due(plan, now)`` for each
    active plan of that rule, which yields ``core.api.DueTask`` items; core
    creates each as a task unless one with the same ``(plan, key)`` exists.
    Sales revisits, service revisits (回访), insurance renewals and hospital
    recalls are rules, not schedulers of their own.
    """


@hookspec
def trellis_recycle_conditions():
    """Return a list of ``core.api.RecycleCondition`` the plugin adds to the pool's recycle rules.

    Called when the application is built. A pool rule (回收规则) names the
    conditions it uses in its ``conditions`` with their params; the recycle
    job returns to the pool every owned customer that meets any of them.
    """


@hookspec
def trellis_jobs():
    """Return a list of ``core.api.Job`` the plugin runs in the background.

    Called when the application is built. A job's ``run(**kwargs)`` runs in
    the worker inside an application context and must be idempotent; one
    with ``every_minutes`` is periodic and runs from the single scheduler.
    Queue a job with ``core.api.enqueue(code, **kwargs)``.
    """


# ------------------------------------------------------------ moving records


@hookspec
def trellis_transfer_records(from_user_id, to_user_id):
    """Hand the plugin's records of a departing user to a colleague.

    Called inside the transaction of ``transfer_all`` (an admin moving every
    customer, contact, open task and plugin record of ``from_user_id`` to
    ``to_user_id``), so a failure here undoes the whole transfer. Update your
    rows through ``db.session``; do not commit. Return how many records moved.
    """


@hookspec
def trellis_merge_records(survivor_id, merged_id):
    """Point the plugin's records of customer ``merged_id`` at ``survivor_id``.

    Called inside the merge transaction, before the merged customer goes to
    the recycle bin; a failure undoes the merge. Do not commit. Return how
    many records moved.
    """


@hookspec
def trellis_purge_records(customer_id):
    """Delete (or detach) the plugin's records of a customer purged from the recycle bin.

    Called inside the purge transaction, before core deletes the customer's
    contacts and timeline and the customer itself; rows still pointing at it
    would make the purge fail and be rolled back. Do not commit.
    """


# ----------------------------------------------------------------------- UI slots


@hookspec
def trellis_menu_items(user):
    """Return a list of ``core.api.MenuItem`` to show in the main menu for ``user``.

    Called on each page render. ``user`` is the signed-in user (never
    anonymous). Return only the items the user may use. Items are sorted by
    ``order``.
    """


@hookspec
def trellis_customer_tabs(customer, user):
    """Return a list of ``core.api.CustomerTab`` for the customer's page.

    Called when ``user`` opens ``customer``'s page. Each tab names an endpoint
    that renders its content; tabs are sorted by ``order``.
    """


@hookspec
def trellis_dashboard_widgets(user):
    """Return a list of ``core.api.DashboardWidget`` for ``user``'s dashboard.

    Called when the dashboard renders. Each widget names an endpoint that
    renders its content; widgets are sorted by ``order``.
    """


# -------------------------------------------------------------------- demo data


@hookspec
def trellis_demo_data(locale, customers, users):
    """Add the plugin's demo records, written in ``locale`` (``en`` or ``zh_CN``).

    Called by ``trellis init --demo`` after core's demo data is committed,
    once per plugin in load order. ``customers`` and ``users`` are core's demo
    records, so a plugin can link to them. Add rows to ``db.session``; core
    commits. Returns nothing.
    """


# ------------------------------------------------------------------ domain events
# Fired after the transaction commits, never inside it: a subscriber that
# fails cannot undo the change, and is logged, not raised.


@hookspec
def trellis_customer_created(customer):
    """A customer was created. ``customer`` is the committed record."""


@hookspec
def trellis_customer_updated(customer, changes):
    """A customer was edited. ``changes`` maps each changed field to ``(before, after)``."""


@hookspec
def trellis_customer_deleted(customer):
    """A customer was moved to the recycle bin (soft-deleted)."""


@hookspec
def trellis_customer_restored(customer):
    """A customer was restored from the recycle bin."""


@hookspec
def trellis_customer_merged(survivor, merged_id):
    """Customer ``merged_id`` was merged into ``survivor`` and no longer exists on its own."""


@hookspec
def trellis_customer_owner_changed(customer, previous_owner_id, new_owner_id):
    """``customer`` changed hands; either id may be ``None`` (the customer pool)."""


@hookspec
def trellis_contact_created(contact):
    """A contact was created. ``contact.customer`` is its customer."""


@hookspec
def trellis_activity_logged(activity):
    """An activity or task was added to a timeline."""
