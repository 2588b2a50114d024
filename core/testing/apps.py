"""Apps, clients and events for tests: ``trellis_make_app`` builds an app on
the test database with the enabled plugins (``trellis_plugins``),
``trellis_register_plugin`` adds throw-away ones made by :func:`plugin_module`,
and the clients always talk to the newest app."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient

from core.api import Manifest, hookimpl
from core.testing.database import enabled_plugins
from core.testing.emptying import empty_tables
from core.testing.templates import TEMPLATES


def plugin_module(
    name: str, *, requires: tuple[str, ...] = (), min_core: str = "0.1", **hooks
) -> ModuleType:
    """Build a throw-away plugin module for ``trellis_register_plugin``.

    ``hooks`` map hook names to plain functions, e.g.
    ``plugin_module("probe", trellis_permissions=lambda: [...])``.
    """
    module = ModuleType(f"trellis_test_plugin_{name}")
    module.manifest = Manifest(  # type: ignore[attr-defined]
        name=name, version="1.0", title=name.title(), requires=tuple(requires), min_core=min_core
    )
    for hook, fn in hooks.items():  # already ``@hookimpl(...)``-marked functions keep their options
        setattr(module, hook, fn if hasattr(fn, "trellis_impl") else hookimpl(fn))
    return module


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context.

    Flask reuses an app context that is already pushed (the fixtures push
    one), and with it ``g`` — so the signed-in user and the chosen locale of
    one request would leak into the next. In production each request has a
    fresh context; so does each request here, and its own database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


class EventRecorder:
    """Records every domain event fired, as ``(name, kwargs)`` pairs."""

    def __init__(self) -> None:
        self.fired: list[tuple[str, dict]] = []

    def names(self) -> list[str]:
        return [name for name, _ in self.fired]

    def of(self, name: str) -> list[dict]:
        return [kwargs for n, kwargs in self.fired if n == name]

    def clear(self) -> None:
        self.fired.clear()


class _RecorderPlugin:
    """Subscribes an :class:`EventRecorder` (``recorder``: the test's) to
    every domain event hook."""

    recorder: EventRecorder | None = None

    def record(self, name: str, **kwargs) -> None:
        if self.recorder is not None:
            self.recorder.fired.append((name, kwargs))

    @hookimpl
    def trellis_customer_created(self, customer):
        self.record("customer_created", customer=customer)

    @hookimpl
    def trellis_customer_updated(self, customer, changes):
        self.record("customer_updated", customer=customer, changes=changes)

    @hookimpl
    def trellis_customer_deleted(self, customer):
        self.record("customer_deleted", customer=customer)

    @hookimpl
    def trellis_customer_restored(self, customer):
        self.record("customer_restored", customer=customer)

    @hookimpl
    def trellis_customer_merged(self, survivor, merged_id):
        self.record("customer_merged", survivor=survivor, merged_id=merged_id)

    @hookimpl
    def trellis_customer_owner_changed(self, customer, previous_owner_id, new_owner_id):
        self.record(
            "customer_owner_changed",
            customer=customer,
            previous_owner_id=previous_owner_id,
            new_owner_id=new_owner_id,
        )

    @hookimpl
    def trellis_contact_created(self, contact):
        self.record("contact_created", contact=contact)

    @hookimpl
    def trellis_activity_logged(self, activity):
        self.record("activity_logged", activity=activity)


class _NewestAppClient:
    """A test client of whichever app is newest (``current_app``): a test
    that calls ``trellis_register_plugin`` after taking the client talks to
    the app with the plugin, not to the first one."""

    def __init__(self) -> None:
        self._clients: dict[Flask, FlaskClient] = {}

    def __getattr__(self, name: str) -> Any:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        if app not in self._clients:
            self._clients[app] = app.test_client()
        return getattr(self._clients[app], name)


@pytest.fixture
def trellis_events() -> EventRecorder:
    """The domain events fired during the test (every test app subscribes it)."""
    return EventRecorder()


@pytest.fixture
def trellis_settings() -> dict[str, Any]:
    """Settings every test app gets, under the test's own: override it in a
    ``conftest.py`` (e.g. ``{"TRELLIS_REGION": "CN"}``)."""
    return {}


@pytest.fixture
def trellis_make_app(
    trellis_database, tmp_path, trellis_events, trellis_settings, pytestconfig, _trellis_shelf
):
    """Build an app on the test database: ``trellis_make_app(**settings)``.

    The newest app's context is pushed; tables are emptied after the test.
    With no settings, it may be an app an earlier test was done with, put
    back as new (``trellis_reuse_apps``, :mod:`core.testing.shelf`).
    """
    from core import create_app

    contexts = []
    shelved: list[tuple[tuple, Flask]] = []

    def factory(**settings):
        config = {
            "TESTING": True,
            "TRELLIS_DATABASE_URL": trellis_database,
            "TRELLIS_SECRET_KEY": "test-secret",
            "TRELLIS_INSTANCE_PATH": str(tmp_path),
            "TRELLIS_JOBS": "immediate",
            **enabled_plugins(pytestconfig),
            **trellis_settings,
            **settings,
        }
        key = _trellis_shelf.key(config) if _trellis_shelf and not settings else None
        app = _trellis_shelf.take(key, str(tmp_path)) if key else None
        if app is None:
            app = create_app(config)
            app.test_client_class = IsolatedClient
            app.jinja_env.bytecode_cache = TEMPLATES  # compiled once per worker, not per app
            app.extensions["trellis"].pm.register(_RecorderPlugin(), name="event-recorder")
            if key:
                _trellis_shelf.built(app)
        app.extensions["trellis"].pm.get_plugin("event-recorder").recorder = trellis_events
        if key:
            shelved.append((key, app))
        ctx = app.app_context()
        ctx.push()
        contexts.append(ctx)
        return app

    yield factory
    from core.extensions import db

    while contexts:
        db.session.remove()
        contexts.pop().pop()
    empty_tables(trellis_database)
    for key, app in shelved:
        _trellis_shelf.put(key, app)


@pytest.fixture
def trellis_app(trellis_make_app):
    """A Trellis app with the enabled plugins, its context pushed."""
    return trellis_make_app()


@pytest.fixture
def trellis_register_plugin(trellis_make_app):
    """``trellis_register_plugin(module, ..., **settings)``: a new app with
    throw-away plugin modules added to the enabled ones (an installed plugin's
    own module may be passed too: it is then simply enabled)."""

    def factory(*plugins, **settings):
        return trellis_make_app(TRELLIS_EXTRA_PLUGINS=list(plugins), **settings)

    return factory


@pytest.fixture
def trellis_db(trellis_app):
    """Flask-SQLAlchemy's ``db`` (``trellis_db.session``), with an app pushed."""
    from core.extensions import db

    return db


@pytest.fixture
def trellis_client(trellis_app):
    """A test client of the newest app (each request in its own app context)."""
    return _NewestAppClient()


@pytest.fixture
def trellis_login_as(trellis_app, trellis_client):
    """``trellis_login_as(user)`` signs ``trellis_client`` in as ``user``; returns it."""

    def do(user):
        with trellis_client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return trellis_client

    return do


@pytest.fixture
def trellis_as_user(trellis_app):
    """``trellis_as_user(user)``: a client of the newest app that calls the API
    with a fresh bearer token of ``user``."""
    from core.services.tokens import create_token

    def make(user):
        _token, secret = create_token(user, "test", None)
        client = current_app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        return client

    return make


@pytest.fixture
def trellis_cli(trellis_app):
    """``trellis_cli("insurance", "rebuild-cells")``: run a ``trellis``
    command — core's or a plugin's — in the newest app, as the console
    would; returns click's ``Result`` (``exit_code``, ``output``)."""
    from click.testing import CliRunner

    from core.cli import main

    def run(*args: str):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        return CliRunner().invoke(main, list(args), obj=app)

    return run
