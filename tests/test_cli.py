"""The ``trellis`` command line. User errors: one line on stderr, exit 1,
no traceback. The commands run in the test's process
(``core.testing.run_trellis``: a new process costs seconds before the
command starts); the console script itself runs as a real process the way
scripts and cron run it (``cli.process``), as do ``serve`` and ``worker``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from core.testing.commands import run_trellis
from core.testing.servers import START_SECONDS

TRELLIS = str(Path(sys.executable).parent / "trellis")


@pytest.fixture
def cli(empty_database_url, tmp_path):
    """``cli(*args, **env)`` runs ``trellis`` on an empty database."""

    settings = {
        "TRELLIS_INSTANCE_PATH": str(tmp_path / "instance"),
        "TRELLIS_DATABASE_URL": empty_database_url,
    }

    def run(*args, stdin: str | None = None, **env):
        return run_trellis(*args, env={**settings, **env}, stdin=stdin)

    def process(*args, **env):
        """``trellis <args>`` as a real process of the console script."""
        environ = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
        environ.update({**settings, **env})
        return subprocess.run(
            [TRELLIS, *args], capture_output=True, text=True, env=environ, timeout=120
        )

    def start(*args):
        environ = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
        environ.update(
            {
                "TRELLIS_INSTANCE_PATH": str(tmp_path / "instance"),
                "TRELLIS_DATABASE_URL": empty_database_url,
            }
        )
        return subprocess.Popen(
            [TRELLIS, *args],
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    run.url = empty_database_url
    run.start = start
    run.process = process
    yield run
    create_engine(empty_database_url).dispose()


def one_line_error(result, fragment: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def count(url: str, table: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        if table not in inspect(conn).get_table_names():
            return -1
        n = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
    engine.dispose()
    return n


def test_init_with_demo_creates_everything_and_prints_the_login(cli):
    result = cli("init", "--demo", "--locale", "zh_CN", "--admin-email", "boss@example.com")
    assert result.returncode == 0, result.stderr
    assert "Administrator: boss@example.com" in result.stdout
    assert "Password: " in result.stdout  # generated, shown once
    # the 16 customers and the insurance household's head
    assert count(cli.url, "customer") == 17 and count(cli.url, "sales_deal") > 0
    listing = cli("users", "list")
    assert "boss@example.com" in listing.stdout and "wangfang@example.com" in listing.stdout


def test_init_twice_refuses_and_changes_nothing(cli):
    assert (
        cli(
            "init", "--admin-email", "a@example.com", "--admin-password", "long enough pw"
        ).returncode
        == 0
    )
    before = count(cli.url, "user_account")
    again = cli(
        "init", "--demo", "--admin-email", "b@example.com", "--admin-password", "long enough pw"
    )
    one_line_error(again, "already initialised")
    assert count(cli.url, "user_account") == before and count(cli.url, "customer") == 0


def test_init_without_an_admin_email_off_a_terminal_is_a_clear_error(cli):
    """Through the console script, as a real process: stdin is no terminal."""
    one_line_error(cli.process("init"), "--admin-email is required")
    assert count(cli.url, "customer") == -1  # nothing migrated, nothing written


def test_init_with_a_short_password_writes_nothing(cli):
    result = cli("init", "--admin-email", "a@example.com", "--admin-password", "short")
    one_line_error(result, "password")
    assert count(cli.url, "customer") == -1


def test_users_create_list_and_set_password(cli):
    cli("init", "--admin-email", "a@example.com", "--admin-password", "long enough pw")
    created = cli(
        "users",
        "create",
        "rep@example.com",
        "--password",
        "rep password 1",
        "--role",
        "sales",
        "--name",
        "Rep",
    )
    assert created.returncode == 0 and "Created rep@example.com (sales)" in created.stdout
    one_line_error(
        cli("users", "create", "rep@example.com", "--password", "rep password 1"), "already exists"
    )
    one_line_error(
        cli("users", "create", "x@example.com", "--password", "rep password 1", "--role", "pope"),
        "no role named 'pope'",
    )
    assert "rep@example.com" in cli("users", "list").stdout
    assert (
        cli("users", "set-password", "rep@example.com", "--password", "another password").returncode
        == 0
    )
    one_line_error(
        cli("users", "set-password", "ghost@example.com", "--password", "whatever1"),
        "no user with e-mail ghost@example.com",
    )


def test_plugins_list_shows_name_version_state_and_requires(cli):
    out = cli("plugins", "list").stdout.splitlines()
    assert out[0].split()[:5] == ["NAME", "VERSION", "STATE", "ORIGIN", "REQUIRES"]
    rows = {line.split()[0]: line.split() for line in out[1:]}
    assert rows["sales"][1:4] == ["0.1.0", "enabled", "built-in"]
    assert rows["hello"][1:4] == ["1.0.0", "disabled", "installed"]


def test_db_upgrade_current_and_downgrade(cli):
    assert "Migrated: core (base → " in cli("db", "upgrade").stdout
    current = cli("db", "current").stdout
    assert "core" in current and "up to date" in current and "behind" not in current
    assert cli("db", "downgrade", "sales", "base").returncode == 0
    assert "behind" in cli("db", "current").stdout
    one_line_error(cli("db", "downgrade", "nosuch"), "no migration branch 'nosuch'")


def test_jobs_run_due_is_idempotent(cli):
    cli("init", "--demo", "--admin-email", "a@example.com", "--admin-password", "long enough pw")
    first = cli("jobs", "run-due")
    after_first = open_tasks(cli.url)
    second = cli("jobs", "run-due")
    assert first.returncode == 0 and second.returncode == 0
    created = int(first.stdout.split(" tasks created")[0].split()[-1])
    assert created > 0
    # the same time slot is skipped (another run had it); a new slot creates nothing new
    assert "core.follow_ups: skipped" in second.stdout or " 0 tasks created" in second.stdout
    assert open_tasks(cli.url) == after_first


def open_tasks(url: str) -> int:
    with create_engine(url).connect() as conn:
        return conn.execute(text("SELECT count(*) FROM activity WHERE due_at IS NOT NULL")).scalar()


def test_the_worker_runs_what_was_queued(cli, tmp_path):
    """A real queue (SQLite storage) and a real ``trellis worker`` process."""
    cli("init", "--demo", "--admin-email", "a@example.com", "--admin-password", "long enough pw")
    before = open_tasks(cli.url)
    assert cli("jobs", "enqueue", "core.follow_ups").stdout.strip() == "Queued core.follow_ups"
    assert (tmp_path / "instance" / "jobs.sqlite3").exists() and open_tasks(cli.url) == before
    worker = cli.start("worker", "--threads", "1")
    try:
        deadline = time.monotonic() + 60
        while open_tasks(cli.url) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert open_tasks(cli.url) > before
    finally:
        worker.terminate()
        assert worker.wait(timeout=30) == 0, worker.stdout.read()
    one_line_error(cli("jobs", "enqueue", "nosuch"), "No such job: nosuch")
    listed = cli("jobs", "list").stdout
    assert "core.pool_recycle" in listed and "every 60 min" in listed


@pytest.mark.parametrize(
    "env, fragment",
    [
        ({"TRELLIS_PLUGINS": "sales,nope"}, "TRELLIS_PLUGINS: unknown plugin 'nope'"),
        ({"TRELLIS_DATABASE_URL": "oracle://x"}, "TRELLIS_DATABASE_URL: only sqlite"),
        (
            {"TRELLIS_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"},
            "TRELLIS_DATABASE_URL: cannot connect",
        ),
        ({"TRELLIS_ENV": "production"}, "TRELLIS_SECRET_KEY: not set"),
    ],
)
def test_a_wrong_setting_is_one_line_and_exit_1(cli, env, fragment):
    one_line_error(cli("db", "upgrade", **env), fragment)


@pytest.mark.parametrize(
    "args",
    [
        ("users", "list"),
        ("users", "create", "rep@example.com", "--password", "rep password 1"),
        ("users", "set-password", "rep@example.com", "--password", "rep password 1"),
        ("users", "token", "rep@example.com"),
        ("jobs", "enqueue", "core.follow_ups"),
    ],
)
def test_commands_on_an_uninitialised_database_say_to_run_init(cli, args):
    result = cli(*args)
    one_line_error(result, "is not initialised: run `trellis init`")
    assert "Queued" not in result.stdout
    assert count(cli.url, "user_account") == -1  # nothing migrated, nothing written


def test_users_list_on_an_unreachable_database_is_one_line(cli):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/x"
    one_line_error(cli("users", "list", TRELLIS_DATABASE_URL=url), "cannot connect")


def test_run_refuses_a_database_that_is_not_migrated(cli):
    # a real process: were it not to refuse, it would serve until the timeout
    one_line_error(cli.process("run", "--port", "5999"), "run `trellis db upgrade`")


def test_serve_answers_real_http_through_gunicorn(cli, tmp_path):
    import socket
    import urllib.request

    cli("init", "--demo", "--admin-email", "a@example.com", "--admin-password", "long enough pw")
    before = open_tasks(cli.url)
    cli("jobs", "enqueue", "core.follow_ups")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
    environ.update(
        {"TRELLIS_INSTANCE_PATH": str(tmp_path / "instance"), "TRELLIS_DATABASE_URL": cli.url}
    )
    server = subprocess.Popen(
        [TRELLIS, "serve", "--port", str(port), "--workers", "1"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        # a loaded machine took 51 s to start gunicorn once: wait as the servers' helpers do
        deadline = time.monotonic() + START_SECONDS
        while body is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
            except OSError:
                time.sleep(0.2)
        assert body is not None and '"status":"ok"' in body.replace(" ", "")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
            assert r.status == 200 and "Content-Security-Policy" in r.headers
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:  # the embedded worker (SQLite queue) ran the job
            if open_tasks(cli.url) > before:
                break
            time.sleep(0.2)
        assert open_tasks(cli.url) > before
        started = children(server.pid)
        assert len(started) == 2  # gunicorn and the worker
    finally:
        server.terminate()
        server.wait(timeout=20)
    time.sleep(0.5)
    assert not [
        pid
        for pid in started
        if Path(f"/proc/{pid}").exists()
        and "(zombie)" not in Path(f"/proc/{pid}/status").read_text()
    ]


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_users_token_prints_a_working_token_once(cli):
    cli("init", "--admin-email", "a@example.com", "--admin-password", "long enough pw")
    result = cli("users", "token", "a@example.com", "--name", "backup script", "--days", "7")
    secret = result.stdout.strip()
    assert result.returncode == 0 and secret.startswith("trl_") and len(secret) > 40
    from core import create_app
    from core.services.tokens import user_for_token

    app = create_app(
        {
            "TESTING": True,
            "TRELLIS_SECRET_KEY": "k",
            "TRELLIS_DATABASE_URL": cli.url,
            "TRELLIS_INSTANCE_PATH": "/tmp",
        }
    )
    with app.app_context():
        assert user_for_token(secret).email == "a@example.com"
        from sqlalchemy import select

        from core.extensions import db
        from core.models import ApiToken

        token = db.session.scalars(select(ApiToken)).one()
        assert 6 < (token.expires_at - token.created_at).total_seconds() / 86400 <= 7

        db.session.remove()
        db.engine.dispose()
    one_line_error(cli("users", "token", "ghost@example.com"), "no user with e-mail")
    one_line_error(cli("users", "token", "a@example.com", "--days", "9999"), "expires_in_days")
