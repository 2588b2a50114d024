"""Trellis's pytest plugin: the fixtures that core, the built-in plugins and
third-party plugins test with, installed with Trellis through the ``pytest11``
entry point (docs/testing.md lists them with examples).

Every fixture is named ``trellis_*``, so it never collides with a project's
own ``app``, ``db`` or ``client``. The test apps enable the plugins named by
the ``trellis_plugins`` ini option (default: the built-in plugins), and the
test database is migrated with them — a plugin project sets
``trellis_plugins = "fitness"`` in its ``[tool.pytest.ini_options]``.

The suite runs on SQLite by default and on PostgreSQL when
``TRELLIS_TEST_DATABASE_URL`` is set; each pytest-xdist worker gets its own
database, migrated once, and every test starts from empty tables.
"""

from __future__ import annotations

import pytest

from core.testing.apps import (
    EventRecorder,
    plugin_module,
    trellis_app,
    trellis_as_user,
    trellis_cli,
    trellis_client,
    trellis_db,
    trellis_events,
    trellis_login_as,
    trellis_make_app,
    trellis_register_plugin,
    trellis_settings,
)
from core.testing.browser import (
    _short_browser_timeouts,
    pytest_collection_modifyitems,
    pytest_configure,
    trellis_live_server,
    trellis_shoot,
)
from core.testing.commands import Completed, run_trellis
from core.testing.database import (
    _no_ambient_trellis_settings,
    _trellis_spent_databases,
    trellis_database,
    trellis_empty_database_url,
)
from core.testing.passwords import _remembering_password_hasher
from core.testing.receiver import trellis_webhook_receiver
from core.testing.records import (
    trellis_load_demo,
    trellis_make_activity,
    trellis_make_contact,
    trellis_make_customer,
    trellis_make_user,
    trellis_run_due,
    trellis_scope_leak_check,
)
from core.testing.shelf import _trellis_shelf


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "trellis_plugins",
        "TRELLIS_PLUGINS of the test apps and the test database: "
        "a comma list of plugin names, or 'all' (default: the built-in plugins)",
        default="",
    )
    parser.addini(
        "trellis_reuse_apps",
        "hand a test's plain app (trellis_make_app() without settings) an app an "
        "earlier test was done with, put back as new (see core.testing.shelf)",
        type="bool",
        default=False,
    )


__all__ = [
    "EventRecorder",
    "_no_ambient_trellis_settings",
    "_remembering_password_hasher",
    "_trellis_shelf",
    "_trellis_spent_databases",
    "_short_browser_timeouts",
    "pytest_configure",
    "plugin_module",
    "run_trellis",
    "Completed",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "trellis_app",
    "trellis_as_user",
    "trellis_cli",
    "trellis_client",
    "trellis_database",
    "trellis_db",
    "trellis_empty_database_url",
    "trellis_events",
    "trellis_live_server",
    "trellis_load_demo",
    "trellis_login_as",
    "trellis_make_activity",
    "trellis_make_app",
    "trellis_make_contact",
    "trellis_make_customer",
    "trellis_make_user",
    "trellis_register_plugin",
    "trellis_run_due",
    "trellis_scope_leak_check",
    "trellis_settings",
    "trellis_shoot",
    "trellis_webhook_receiver",
]
