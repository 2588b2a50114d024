"""The test databases: one per pytest-xdist worker, migrated once, emptied
after every test; SQLite by default, PostgreSQL when
``TRELLIS_TEST_DATABASE_URL`` is set. The developer's ``TRELLIS_*`` settings
never reach a test."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import secrets
import socket
from typing import cast

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError


def enabled_plugins(config: pytest.Config) -> dict[str, str]:
    """``TRELLIS_PLUGINS`` for the test apps, from the ``trellis_plugins`` ini
    option (a plugin project sets ``trellis_plugins = "fitness"``); unset: the
    built-in plugins, as an instance's default."""
    value = config.getini("trellis_plugins")
    return {"TRELLIS_PLUGINS": value} if value else {}


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session", autouse=True)
def _no_ambient_trellis_settings():
    """The developer's shell may hold ``TRELLIS_*`` settings (a database URL,
    a plugin list …); no test — nor the session's database — may see them.
    ``TRELLIS_TEST_*`` (the suite's own, e.g. ``TRELLIS_TEST_DATABASE_URL``)
    stay; a test that wants a setting in the environment sets it with
    ``monkeypatch``."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("TRELLIS_") and not name.startswith("TRELLIS_TEST_"):
                patch.delenv(name)
        yield


# PostgreSQL: every database a run makes is named ``<db>_<host>_<pid>_<random>_<worker>…``,
# so two runs against one server (two checkouts, two CI jobs) never touch each other's.
_HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]
_RUN = f"{_HOST}_{os.getpid()}_{secrets.token_hex(2)}"


def _pg_name(base_url: str, suffix: str = "") -> str:
    database = cast(str, make_url(base_url).database)  # a PostgreSQL URL names one
    return f"{database[:20]}_{_RUN}_{_worker()}{suffix}"  # < 63 bytes


def _pg_database(base_url: str, name: str) -> str:
    """Create database ``name`` on the server of ``base_url``; return its URL."""
    url = make_url(base_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(base_url: str, name: str) -> None:
    """Drop this run's database ``name`` (its own connections may linger: FORCE)."""
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _drop_stale_pg_databases(base_url: str) -> None:
    """Drop what runs on this machine left behind when killed before their
    teardown: databases whose process is gone. Never one in use — a plain DROP
    (no FORCE) refuses while anyone is connected, and that one is kept."""
    database = cast(str, make_url(base_url).database)  # a PostgreSQL URL names one
    stale = re.compile(rf"{re.escape(database[:20])}_{_HOST}_(\d+)_[0-9a-f]{{4}}_")
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in conn.scalars(text("SELECT datname FROM pg_database")).all():
            match = stale.match(name)
            if match and _gone(int(match[1])):
                try:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                except DBAPIError:  # in use after all, or another run's worker dropping it
                    conn.rollback()
    admin.dispose()


_counter = itertools.count()


@pytest.fixture
def trellis_empty_database_url(tmp_path):
    """A new, empty database for one test (migration tests use it)."""
    base = os.environ.get("TRELLIS_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = _pg_name(base, f"_e{next(_counter)}")
    url = _pg_database(base, name)
    yield url
    _drop_pg_database(base, name)


@pytest.fixture(scope="session")
def trellis_database(tmp_path_factory, pytestconfig):
    """This worker's database, migrated with every enabled plugin (``trellis_plugins``)."""
    base = os.environ.get("TRELLIS_TEST_DATABASE_URL")
    if base:
        _drop_stale_pg_databases(base)
        name = _pg_name(base)
        url = _pg_database(base, name)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'trellis.db'}"
    from core import create_app
    from core.migrate import upgrade

    app = create_app(
        {
            "TESTING": True,
            "TRELLIS_DATABASE_URL": url,
            "TRELLIS_SECRET_KEY": "t",
            "TRELLIS_JOBS": "immediate",
            **enabled_plugins(pytestconfig),
            "TRELLIS_INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        }
    )
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
                conn.execute(
                    text(
                        "TRUNCATE "
                        + ", ".join(f'"{n}"' for n in names)
                        + " RESTART IDENTITY CASCADE"
                    )
                )
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for name in names:
                conn.exec_driver_sql(f'DELETE FROM "{name}"')
    engine.dispose()
