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
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from core.testing.emptying import close_connections
from core.testing.emptying import empty_tables as _empty_tables  # noqa: F401 (tests use it)


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
        # a commit need not wait for the disk (a crash loses a test database
        # anyway): each is a millisecond or two quicker, nothing else changes
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
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
#: where SQLite test databases go when there is room: memory (tmpfs), so that a
#: commit never waits for a disk to sync — a millisecond each, thousands a run
MEMORY_FOLDER = Path("/dev/shm")


@contextmanager
def _sqlite_folder(fallback: Path) -> Iterator[Path]:
    """A new folder in memory for a SQLite database (removed afterwards), or
    ``fallback`` where there is no tmpfs with a gigabyte free."""
    try:
        roomy = MEMORY_FOLDER.is_dir() and shutil.disk_usage(MEMORY_FOLDER).free > 2**30
        prefix = f"trellis-test-{os.getpid()}-"
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=MEMORY_FOLDER)) if roomy else None
    except OSError:  # not writable
        folder = None
    if folder is None:
        yield fallback
        return
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_stale_sqlite_folders() -> None:
    """Remove the folders in memory of runs killed before their teardown."""
    for folder in MEMORY_FOLDER.glob("trellis-test-*-*"):
        pid = folder.name.split("-")[2]
        if pid.isdigit() and _gone(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def _trellis_spent_databases():
    """The PostgreSQL databases this worker's tests are done with, dropped
    when the run ends: a ``DROP DATABASE`` makes the server write every
    changed page to disk first (a checkpoint, seconds while the suite runs),
    and one after another at the end, they find little left to write."""
    spent: list[tuple[str, str]] = []
    yield spent
    for base, name in spent:
        _drop_pg_database(base, name)


def _disconnect(base_url: str, name: str) -> None:
    """End every session on database ``name`` (what a test left open)."""
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
    admin.dispose()


@pytest.fixture
def trellis_empty_database_url(tmp_path, _trellis_spent_databases):
    """A new, empty database for one test (migration tests use it)."""
    base = os.environ.get("TRELLIS_TEST_DATABASE_URL")
    if not base:
        with _sqlite_folder(tmp_path) as folder:
            yield f"sqlite:///{folder / 'empty.db'}"
        return
    name = _pg_name(base, f"_e{next(_counter)}")
    url = _pg_database(base, name)
    _trellis_spent_databases.append((base, name))
    yield url
    _disconnect(base, name)


@pytest.fixture(scope="session")
def trellis_database(tmp_path_factory, pytestconfig):
    """This worker's database, migrated with every enabled plugin (``trellis_plugins``)."""
    base = os.environ.get("TRELLIS_TEST_DATABASE_URL")
    with ExitStack() as stack:
        if base:
            _drop_stale_pg_databases(base)
            name = _pg_name(base)
            url = _pg_database(base, name)
            stack.callback(_drop_pg_database, base, name)
            stack.callback(close_connections)  # the emptying's, before the drop
        else:
            _remove_stale_sqlite_folders()
            folder = stack.enter_context(_sqlite_folder(tmp_path_factory.mktemp("db")))
            url = f"sqlite:///{folder / 'trellis.db'}"
        _migrate(url, tmp_path_factory, pytestconfig)
        yield url


def _migrate(url: str, tmp_path_factory, pytestconfig) -> None:
    """Migrate the database at ``url`` with every enabled plugin."""
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
