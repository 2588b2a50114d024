"""Apps kept between tests: a test's plain app (``trellis_make_app()`` with no
settings of its own) may be one an earlier test of the worker was done
with, put back as a new one starts.

Building an app costs a fifth of a second and more — its plugins, its URL
map, the OpenAPI document of every operation — about as much as a whole
test of a page, and most tests want the very same app. What a test can
change in an app is put back before the next one takes it: its settings
(``app.config``), the extensions it gained (``app.extensions``), the sign-in
counters, the in-memory job queue, its instance folder (the new test's), its
database connections (closed), and whose events it records. The tables are
emptied after every test, as for a new app. A test that wants an app of its
own asks for one with a setting (any ``trellis_make_app(...)`` with
settings builds a new app). Kept apps are on when the ``trellis_reuse_apps``
ini option is true; off, every test builds its apps.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

#: apps of one key kept at most (a test seldom takes two plain apps)
KEPT = 2


class Shelf:
    """This worker's kept apps, by the settings they were built with."""

    def __init__(self) -> None:
        self._apps: dict[tuple, list[Flask]] = {}
        self._as_built: dict[Flask, tuple[dict, dict]] = {}

    @staticmethod
    def key(config: dict[str, Any]) -> tuple | None:
        """The shelf an app of ``config`` goes on: its settings but the
        instance folder, and the ``TRELLIS_*`` environment variables (which
        settings read too). None (build a new app): the instance folder has
        a settings file, or a setting is not a plain value."""
        from core.config import CONFIG_FILE

        if (Path(config["TRELLIS_INSTANCE_PATH"]) / CONFIG_FILE).exists():
            return None
        items = sorted((k, v) for k, v in config.items() if k != "TRELLIS_INSTANCE_PATH")
        environment = sorted((k, v) for k, v in os.environ.items() if k.startswith("TRELLIS_"))
        key = (tuple(items), tuple(environment))
        try:
            hash(key)
        except TypeError:
            return None
        return key

    def take(self, key: tuple, instance_path: str) -> Flask | None:
        """A kept app for ``key``, made as it was built, in ``instance_path``."""
        apps = self._apps.get(key)
        if not apps:
            return None
        app = apps.pop()
        config, extensions = self._as_built[app]
        for name in set(app.config) - set(config):
            del app.config[name]
        for name, value in config.items():
            if app.config.get(name, object()) != value:
                app.config[name] = copy.deepcopy(value)
        app.config["TRELLIS_INSTANCE_PATH"] = app.instance_path = instance_path
        app.extensions.clear()
        app.extensions.update(extensions)
        limiter = extensions.get("trellis_limiter")
        if limiter is not None:
            limiter.storage.reset()  # the storage's own reset: the limiter's logs a line
        jobs = extensions.get("trellis_jobs")
        if jobs is not None:
            jobs.huey.storage.flush_all()
        return app

    def built(self, app: Flask) -> None:
        """Remember ``app`` as it is when built, to put it back so each time
        (an app whose settings cannot be copied is not kept)."""
        try:
            config = copy.deepcopy(dict(app.config))
        except Exception:  # noqa: BLE001 - any setting copy cannot make
            return
        self._as_built[app] = (config, dict(app.extensions))

    def put(self, key: tuple, app: Flask) -> None:
        """Keep ``app`` (done with) for the next test of ``key``."""
        if app not in self._as_built:
            return
        with app.app_context():
            from core.extensions import db

            for engine in db.engines.values():
                engine.dispose()
        apps = self._apps.setdefault(key, [])
        if len(apps) < KEPT:
            apps.append(app)
        else:
            del self._as_built[app]

    def clear(self) -> None:
        for app in list(self._as_built):
            with app.app_context():
                from core.extensions import db

                for engine in db.engines.values():
                    engine.dispose()
        self._apps.clear()
        self._as_built.clear()


@pytest.fixture(scope="session")
def _trellis_shelf(pytestconfig):
    """This worker's :class:`Shelf`, or None when ``trellis_reuse_apps`` is off."""
    if not pytestconfig.getini("trellis_reuse_apps"):
        yield None
        return
    shelf = Shelf()
    yield shelf
    shelf.clear()
