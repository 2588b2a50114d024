"""``trellis plugins sync`` (and ``db upgrade``, which does the same) on an
instance that gains a plugin after ``trellis init``, run as a real process."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text
from test_cli import cli, one_line_error  # noqa: F401  (the fixture and its check)


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_plugin_enabled_after_init_is_migrated_and_synced_once(cli):
    init = cli(
        "init",
        "--locale",
        "en",
        "--admin-email",
        "a@example.com",
        "--admin-password",
        "correct horse battery",
        TRELLIS_PLUGINS="sales",
    )
    assert init.returncode == 0, init.stderr
    assert "hello_greeting" not in tables(cli.url)

    first = cli("plugins", "sync", TRELLIS_PLUGINS="sales,hello")
    assert first.returncode == 0, first.stderr
    assert "hello: enabled at 1.0.0" in first.stdout
    assert "hello_greeting" in tables(cli.url)

    again = cli("db", "upgrade", TRELLIS_PLUGINS="sales,hello")
    assert again.returncode == 0, again.stderr
    assert "hello: enabled" not in again.stdout
    engine = create_engine(cli.url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, version FROM plugin_state ORDER BY name")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("hello", "1.0.0"), ("sales", rows[1][1])]


@pytest.mark.parametrize("plugins", ["sales,nosuch"])
def test_sync_with_an_unknown_plugin_is_one_line(cli, plugins):
    one_line_error(cli("plugins", "sync", TRELLIS_PLUGINS=plugins), "unknown plugin 'nosuch'")
