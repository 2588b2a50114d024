"""The pytest plugin's own machinery (core.testing) that makes the suite
quick: kept apps come back as they were built, emptied tables are as a new
database's, the test hasher answers as Argon2 does, compiled templates are
shared only while their source is unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from jinja2 import Environment, FileSystemLoader
from sqlalchemy import func, insert, inspect, select, text

from core.api import Customer, db
from core.testing.emptying import empty_tables
from core.testing.passwords import RememberingHasher
from core.testing.shelf import Shelf
from core.testing.templates import SharedBytecodeCache


def test_a_kept_app_comes_back_as_it_was_built(make_app, tmp_path):
    app = make_app(TRELLIS_THEME="default")  # an app of this test's own
    shelf, key = Shelf(), ("a key",)
    shelf.built(app)
    app.config["TRELLIS_THEME"] = "dark"
    app.config["LEFT_BEHIND"] = True
    app.extensions["left_behind"] = object()
    limiter, jobs = app.extensions["trellis_limiter"], app.extensions["trellis_jobs"]
    limiter.storage.incr("login:someone|127.0.0.1", 60)
    jobs.huey.storage.enqueue(b"a job")

    shelf.put(key, app)
    again = shelf.take(key, str(tmp_path / "next"))

    assert again is app
    assert app.config["TRELLIS_THEME"] == "default" and "LEFT_BEHIND" not in app.config
    assert "left_behind" not in app.extensions
    assert app.instance_path == app.config["TRELLIS_INSTANCE_PATH"] == str(tmp_path / "next")
    assert limiter.storage.get("login:someone|127.0.0.1") == 0
    assert jobs.huey.storage.queue_size() == 0
    assert shelf.take(key, str(tmp_path)) is None  # it was the only one


def test_an_app_with_an_instance_file_or_another_environment_goes_on_no_shared_shelf(
    tmp_path, monkeypatch
):
    config = {"TRELLIS_INSTANCE_PATH": str(tmp_path), "TRELLIS_THEME": "default"}
    plain = Shelf.key(config)
    assert plain is not None and Shelf.key({**config, "TRELLIS_INSTANCE_PATH": "/x"}) == plain
    assert Shelf.key({**config, "TRELLIS_THEME": "dark"}) != plain
    assert Shelf.key({**config, "TRELLIS_PLUGIN_LIST": ["a"]}) is None  # not a plain value
    monkeypatch.setenv("TRELLIS_LOCALE", "zh_CN")  # settings read the environment too
    assert Shelf.key(config) not in (None, plain)
    monkeypatch.delenv("TRELLIS_LOCALE")
    (tmp_path / "trellis.toml").write_text('theme = "dark"\n')
    assert Shelf.key(config) is None


INNER_TESTS = """
from core.services.customers import create_customer

seen = []


def test_first(trellis_app, tmp_path):
    seen.append(trellis_app)
    trellis_app.config["LEFT_BEHIND"] = True
    assert trellis_app.instance_path == str(tmp_path)


def test_second_gets_the_first_ones_app_as_built(trellis_app, trellis_events, tmp_path):
    assert trellis_app is seen[0] and "LEFT_BEHIND" not in trellis_app.config
    assert trellis_app.instance_path == str(tmp_path)
    create_customer({"name": "Acme"}, None)
    assert trellis_events.names() == ["customer_created"]  # this test's recorder


def test_settings_get_a_new_app(trellis_make_app):
    assert trellis_make_app(TRELLIS_THEME="dark") is not seen[0]
"""


def test_a_run_hands_plain_apps_on_and_builds_apps_with_settings(tmp_path):
    """A real pytest run of three tests, with ``trellis_reuse_apps``."""
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\ntrellis_reuse_apps = true\ntrellis_plugins = hello\n"
    )
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER_TESTS))
    environ = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout


def shadow(table: str) -> bool:
    """Whether ``table`` is a SQLite full-text table's own (its rows are the
    index's structure, a new one has them too; the full-text table itself is
    counted with the others)."""
    if db.engine.dialect.name != "sqlite":
        return False
    virtual = db.session.scalars(
        text("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")
    ).all()
    return any(table.startswith(f"{name}_") for name in virtual)


def test_emptied_tables_are_as_a_new_databases(app, make_customer, trellis_database):
    first = make_customer(name="First").id
    make_customer(name="Second")
    db.session.commit()
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        db.session.execute(text("ANALYZE customer"))
        db.session.commit()
    db.session.remove()

    empty_tables(trellis_database)

    tables = [t for t in inspect(db.engine).get_table_names() if t != "alembic_version"]
    full = [t for t in tables if db.session.scalar(text(f'SELECT count(*) FROM "{t}"'))]
    assert [t for t in full if not shadow(t)] == []
    assert db.session.scalar(select(func.count()).select_from(text("alembic_version"))) > 0
    if postgresql:  # the planner knows as little of it as of a new table
        stats = db.session.execute(
            text(
                "SELECT relname, relpages, reltuples FROM pg_class "
                "WHERE relname IN ('customer', 'pk_customer')"
            )
        ).all()
        assert sorted(stats) == [("customer", 0, -1), ("pk_customer", 0, -1)]
    assert make_customer(name="Again").id == first  # its ids start again


def test_a_table_that_grew_is_emptied_to_no_pages(app, trellis_database):
    if db.engine.dialect.name != "postgresql":
        assert db.engine.dialect.name == "sqlite"  # SQLite keeps no per-table size to plan by
        return
    db.session.execute(insert(Customer), [{"name": f"Filler {i}"} for i in range(3000)])
    db.session.commit()
    assert db.session.scalar(text("SELECT pg_relation_size('customer')")) > 10 * 8192
    db.session.remove()

    empty_tables(trellis_database)

    assert db.session.scalar(text("SELECT pg_relation_size('customer')")) == 0
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0


def test_the_test_hasher_gives_argon2s_own_answers():
    from core import security

    hasher = security._hasher
    argon2 = PasswordHasher()  # the parameters core hashes with
    assert isinstance(hasher, RememberingHasher)

    hashed = hasher.hash("correct horse battery")

    assert hasher.hash("correct horse battery") == hashed  # worked out once
    assert argon2.verify(hashed, "correct horse battery")
    assert not argon2.check_needs_rehash(hashed)  # core's own parameters
    assert hasher.hash("another password") != hashed
    for _ in range(2):  # a mismatch stays a mismatch when remembered
        with pytest.raises(VerifyMismatchError):
            hasher.verify(hashed, "a wrong guess")
        assert hasher.verify(hashed, "correct horse battery") is True


def test_shared_templates_are_compiled_again_when_their_source_changes(tmp_path):
    cache = SharedBytecodeCache()
    (tmp_path / "page.html").write_text("Hello {{ name }}")

    def render() -> str:
        env = Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=cache)
        return env.get_template("page.html").render(name="Ada")

    assert render() == "Hello Ada"
    assert render() == "Hello Ada"  # a second environment: from the cache
    assert len(cache._code) == 1
    (tmp_path / "page.html").write_text("Goodbye {{ name }}")
    assert render() == "Goodbye Ada"


BROWSER_TESTS = """
import pytest


class Page:  # stands in for pytest-playwright's page: only its name matters here
    def __getattr__(self, name):
        return lambda *args, **kwargs: None


@pytest.fixture
def page():
    return Page()


@pytest.mark.parametrize("n", range(4))
def test_in_a_browser(page, n):
    pass


@pytest.mark.parametrize("n", range(4))
def test_without_one(n):
    pass
"""


def test_the_browser_tests_share_one_worker_under_loadgroup(tmp_path):
    """A real ``-n 2 --dist loadgroup`` run (as ``make test``): every test
    with a ``page`` lands on one worker, so one Chromium serves the run —
    the grouping that a pytest or pytest-xdist upgrade can silently undo."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_pages.py").write_text(textwrap.dedent(BROWSER_TESTS))
    environ = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    browser_lines = [
        line
        for line in done.stdout.splitlines()
        if line.startswith("[gw") and "test_in_a_browser" in line
    ]
    assert len(browser_lines) == 4, done.stdout[-3000:]
    assert all(line.rstrip().endswith("@browser") for line in browser_lines), browser_lines
    assert len({line.split()[0] for line in browser_lines}) == 1, browser_lines
