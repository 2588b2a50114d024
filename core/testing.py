"""Trellis's pytest plugin: the fixtures core, built-in and third-party
plugins test with (installed through the ``pytest11`` entry point).

The suite runs on SQLite by default and on PostgreSQL when
``TRELLIS_TEST_DATABASE_URL`` is set. Each pytest-xdist worker gets its own
database, migrated once; every test starts from empty tables.

Fixtures: ``app``, ``db``, ``client``, ``login_as``, ``make_user``,
``make_customer``, ``make_contact``, ``make_activity``, ``register_plugin``,
``make_app``, ``events``, ``run_due``, ``empty_database_url``; for browser tests
``live_server`` and ``shoot`` (with pytest-playwright's ``page``); and
:func:`plugin_module` to build throw-away plugins.
"""

from __future__ import annotations

import itertools
import os
from types import ModuleType

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from core.api import Manifest, hookimpl


def plugin_module(name: str, *, requires: tuple[str, ...] = (), min_core: str = "0.1",
                  **hooks) -> ModuleType:
    """Build a throw-away plugin module for ``register_plugin``.

    ``hooks`` map hook names to plain functions, e.g.
    ``plugin_module("probe", trellis_permissions=lambda: [...])``.
    """
    module = ModuleType(f"trellis_test_plugin_{name}")
    module.manifest = Manifest(name=name, version="1.0", title=name.title(),
                               requires=tuple(requires), min_core=min_core)
    for hook, fn in hooks.items():
        setattr(module, hook, hookimpl(fn))
    return module

def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_database(base_url: str, name: str) -> str:
    """(Re)create database ``name`` on the server of ``base_url``; return its URL."""
    url = make_url(base_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(base_url: str, name: str) -> None:
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_counter = itertools.count()


@pytest.fixture
def empty_database_url(tmp_path):
    """A new, empty database for one test (migration tests use it)."""
    base = os.environ.get("TRELLIS_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"{make_url(base).database}_{_worker()}_e{next(_counter)}"
    url = _pg_database(base, name)
    yield url
    _drop_pg_database(base, name)


@pytest.fixture(scope="session")
def trellis_database(tmp_path_factory):
    """This worker's database, migrated with every built-in plugin."""
    base = os.environ.get("TRELLIS_TEST_DATABASE_URL")
    if base:
        name = f"{make_url(base).database}_{_worker()}"
        url = _pg_database(base, name)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'trellis.db'}"
    from core import create_app
    from core.migrate import upgrade

    app = create_app({"TESTING": True, "TRELLIS_DATABASE_URL": url, "TRELLIS_SECRET_KEY": "t",
                      "TRELLIS_JOBS": "immediate", "TRELLIS_INSTANCE_PATH": str(tmp_path_factory.mktemp("instance"))})
    with app.app_context():
        upgrade()
        from core.extensions import db

        db.engine.dispose()
    yield url
    if base:
        _drop_pg_database(base, name)


def _empty_tables(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
        if conn.dialect.name == "postgresql":
            if names:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names)
                                  + " RESTART IDENTITY CASCADE"))
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for name in names:
                conn.exec_driver_sql(f'DELETE FROM "{name}"')
    engine.dispose()


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
    """Subscribes an :class:`EventRecorder` to every domain event hook."""

    def __init__(self, recorder: EventRecorder) -> None:
        self.record = lambda name, **kwargs: recorder.fired.append((name, kwargs))

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
        self.record("customer_owner_changed", customer=customer,
                    previous_owner_id=previous_owner_id, new_owner_id=new_owner_id)

    @hookimpl
    def trellis_contact_created(self, contact):
        self.record("contact_created", contact=contact)

    @hookimpl
    def trellis_activity_logged(self, activity):
        self.record("activity_logged", activity=activity)


@pytest.fixture
def events() -> EventRecorder:
    """The domain events fired during the test (the ``app`` fixture subscribes it)."""
    return EventRecorder()


@pytest.fixture
def make_app(trellis_database, tmp_path, events):
    """Build an app on the test database: ``make_app(**settings)``.

    The newest app's context is pushed; tables are emptied after the test.
    """
    from core import create_app

    contexts = []

    def factory(**settings):
        config = {"TESTING": True, "TRELLIS_DATABASE_URL": trellis_database,
                  "TRELLIS_SECRET_KEY": "test-secret", "TRELLIS_INSTANCE_PATH": str(tmp_path),
                  "TRELLIS_JOBS": "immediate", **settings}
        app = create_app(config)
        app.test_client_class = IsolatedClient
        app.extensions["trellis"].pm.register(_RecorderPlugin(events), name="event-recorder")
        ctx = app.app_context()
        ctx.push()
        contexts.append(ctx)
        return app

    yield factory
    from core.extensions import db

    while contexts:
        db.session.remove()
        contexts.pop().pop()
    _empty_tables(trellis_database)


@pytest.fixture
def app(make_app):
    """A Trellis app with the default plugins, its context pushed."""
    return make_app()


@pytest.fixture
def register_plugin(make_app):
    """``register_plugin(module, ...)``: an app with throw-away plugins added."""
    def factory(*plugins, **settings):
        return make_app(TRELLIS_EXTRA_PLUGINS=list(plugins), **settings)
    return factory


@pytest.fixture
def db(app):
    from core.extensions import db as _db

    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login_as(app, client):
    """``login_as(user)`` signs the test client in as ``user``; returns the client."""
    def do(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client
    return do


@pytest.fixture
def as_user(app):
    """``as_user(user)``: a test client that calls the API with a fresh bearer token of ``user``."""
    from core.services.tokens import create_token

    def make(user):
        _token, secret = create_token(user, "test", None)
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        return client
    return make


@pytest.fixture
def make_user(app):
    """``make_user(role="sales", team=None, **fields)`` through the user service."""
    from core.services.users import create_user, ensure_default_roles

    seq = itertools.count(1)

    def factory(role: str = "sales", team=None, **fields):
        ensure_default_roles()
        n = next(seq)
        payload = {"email": f"user{n}@example.com", "name": f"User {n}",
                   "password": "correct horse battery", **fields}
        if team is not None:
            payload["team_id"] = team.id
        return create_user(payload, None, role=role)
    return factory


@pytest.fixture
def make_customer(app):
    """``make_customer(name=..., **fields)`` through the customer service."""
    from core.services.customers import create_customer

    seq = itertools.count(1)

    def factory(actor=None, **fields):
        payload = {"name": f"Customer {next(seq)}", **fields}
        return create_customer(payload, actor).customer
    return factory


@pytest.fixture
def make_contact(app, make_customer):
    from core.services.contacts import create_contact

    def factory(customer=None, actor=None, **fields):
        customer = customer or make_customer()
        return create_contact({"customer_id": customer.id, "name": "Contact", **fields}, actor)
    return factory


@pytest.fixture
def make_activity(app, make_customer):
    from core.services.activities import log_activity

    def factory(customer=None, actor=None, **fields):
        customer = customer or make_customer()
        return log_activity({"kind": "call", "subject": "Call", "customer_id": customer.id,
                             **fields}, actor)
    return factory


@pytest.fixture
def run_due(app):
    """``run_due(now=None)`` runs the follow-up job as ``trellis jobs run-due`` does."""
    from core.followups import run_due as _run_due

    return _run_due


@pytest.fixture
def scope_leak_check(app, make_user):
    """``scope_leak_check(create, marker, api_list=..., api_detail=..., pages=...,
    permissions=[...])`` proves a resource leaks nothing across scopes.

    ``create(owner)`` makes one record owned by ``owner`` (committed) and
    returns it; ``marker(record)`` is text that identifies it on a page.
    Two reps in different teams each get one record; a manager of the first
    team comes third. The check asserts, through the API and the pages, that
    a rep sees only their own record, the other's detail is a 404 (not a
    403), and the manager sees their team's record but not the other team's.
    """
    from core.models import DataScope, Role
    from core.services.tokens import create_token
    from core.services.users import create_team

    def check(create, marker, *, api_list=None, api_detail=None, pages=(), permissions=()):
        from core.extensions import db

        db.session.add_all([
            Role(name="leak_rep", scope=DataScope.own, permissions=list(permissions)),
            Role(name="leak_lead", scope=DataScope.team, permissions=list(permissions))])
        db.session.commit()
        east, west = create_team("Leak east", None), create_team("Leak west", None)
        mine_owner = make_user(role="leak_rep", team=east)
        other_owner = make_user(role="leak_rep", team=west)
        lead = make_user(role="leak_lead", team=east)
        mine, theirs = create(mine_owner), create(other_owner)

        def sees(user, record) -> bool:
            _token, secret = create_token(user, "leak-check", None)
            client = app.test_client()
            headers = {"Authorization": f"Bearer {secret}"}
            seen = []
            if api_list:
                listed = client.get(api_list, headers=headers)
                assert listed.status_code == 200, (api_list, listed.json)
                seen.append(record.id in [item["id"] for item in listed.json["items"]])
            if api_detail:
                detail = client.get(api_detail.format(id=record.id), headers=headers)
                assert detail.status_code in (200, 404), (api_detail, detail.status_code)
                seen.append(detail.status_code == 200)
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
            for page in pages:
                response = client.get(page.format(id=record.id))
                assert response.status_code in (200, 404), (page, response.status_code)
                seen.append(response.status_code == 200 and marker(record) in response.text)
            assert len(set(seen)) == 1, f"paths disagree for {user.email}: {seen}"
            return seen[0]

        for user, record, expected in [(mine_owner, mine, True), (mine_owner, theirs, False),
                                       (other_owner, theirs, True), (other_owner, mine, False),
                                       (lead, mine, True), (lead, theirs, False)]:
            assert sees(user, record) == expected, (
                f"{user.email} ({user.role.name}, team {user.team_id}) "
                f"{'should see' if expected else 'must not see'} record {record.id}")

    return check


from core.testing_browser import *  # noqa: E402,F401,F403  (browser fixtures and the hook)
