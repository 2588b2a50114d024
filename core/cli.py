"""The ``trellis`` command line.

Every command works without prompts (scripts and CI drive it); ``init``
prompts only for what is missing and only on a terminal. User errors print
one line and exit 1, with nothing written.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator

import click
from alembic.util import CommandError
from flask import Flask

from core import __version__
from core.errors import TrellisError

CORE_COMMANDS = ("init", "run", "serve", "db", "plugins", "users", "jobs", "worker")


def _fail(message: str):
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _app() -> Flask:
    ctx = click.get_current_context()
    root = ctx.find_root()
    if isinstance(root.obj, Flask):  # tests and embedders hand the CLI their app
        return root.obj
    if "app" not in root.meta:
        from core.app import create_app

        try:
            root.meta["app"] = create_app()
        except TrellisError as exc:
            _fail(str(exc))
    return root.meta["app"]


def with_app(fn):
    """Run the command inside an app context; turn TrellisErrors into one line."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        app = _app()
        with app.app_context():
            try:
                return fn(*args, **kwargs)
            except TrellisError as exc:
                _fail(str(exc))
            except CommandError as exc:  # Alembic's own user errors
                _fail(f"migration: {exc}")
    return wrapper


class TrellisGroup(click.Group):
    """Core's commands plus those plugins add through ``trellis_cli_commands``."""

    def _plugin_commands(self) -> dict[str, click.Command]:
        ctx = click.get_current_context(silent=True)
        if ctx is None:
            return {}
        try:
            app = _app()
        except SystemExit:
            return {}
        commands = {}
        for _name, answer in app.extensions["trellis"].answers("trellis_cli_commands"):
            for cmd in answer or ():
                commands[cmd.name] = cmd
        return commands

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._plugin_commands()))

    def get_command(self, ctx, name):
        cmd = super().get_command(ctx, name)
        if cmd is None:
            cmd = self._plugin_commands().get(name)
            if cmd is not None:
                cmd = _in_app_context(cmd)
        return cmd


def _in_app_context(cmd: click.Command) -> click.Command:
    original = cmd.invoke

    def invoke(ctx):
        with _app().app_context():
            try:
                return original(ctx)
            except TrellisError as exc:
                _fail(str(exc))
    cmd.invoke = invoke
    return cmd


@click.group(cls=TrellisGroup)
@click.version_option(__version__, prog_name="trellis")
def main() -> None:
    """Trellis — a self-hosted CRM. Settings come from TRELLIS_* variables."""


# ----------------------------------------------------------------------- init

@main.command()
@click.option("--demo", is_flag=True, help="Load believable demo data.")
@click.option("--locale", type=click.Choice(["en", "zh_CN"]), default=None,
              help="Default language (and the language of the demo data).")
@click.option("--admin-email", help="E-mail of the first administrator.")
@click.option("--admin-password", help="Password (8+ characters); generated if omitted "
              "when not on a terminal.")
@with_app
def init(demo: bool, locale: str | None, admin_email: str | None,
         admin_password: str | None) -> None:
    """Create the instance: database, secret key, first administrator."""
    from core.instance import check_can_initialise, database_shown, initialise

    check_can_initialise(None, None)
    interactive = sys.stdin.isatty()
    if not admin_email:
        if not interactive:
            _fail("--admin-email is required when not running on a terminal")
        admin_email = click.prompt("Administrator e-mail")
    generated = False
    if not admin_password:
        if interactive:
            admin_password = click.prompt("Administrator password", hide_input=True,
                                          confirmation_prompt=True)
        else:
            admin_password, generated = secrets.token_urlsafe(12), True
    admin = initialise(admin_email, admin_password, locale or _app().config["TRELLIS_LOCALE"],
                       demo)
    click.echo(f"Trellis is ready at {database_shown()}.")
    click.echo(f"Administrator: {admin.email}")
    if generated:
        click.echo(f"Password: {admin_password}   (shown once; change it with "
                   "`trellis users set-password`)")


# ------------------------------------------------------------------ run/serve

@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_app
def run(host: str, port: int) -> None:
    """Start the development server."""
    from core import migrate as mig

    mig.ensure_current()
    _stop_on_sigterm()
    with embedded_worker(_app()):
        _app().run(host=host, port=port, use_reloader=False, threaded=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@with_app
def serve(host: str, port: int, workers: int) -> None:
    """Start the production server (gunicorn)."""
    from core import migrate as mig

    mig.ensure_current()
    _stop_on_sigterm()
    with embedded_worker(_app()), _child([sys.executable, "-m", "gunicorn", "--workers",
                                          str(workers), "--bind", f"{host}:{port}",
                                          "core.wsgi:app"]) as server:
        server.wait()
    sys.exit(server.returncode)


@contextlib.contextmanager
def _child(command: list[str]) -> Iterator[subprocess.Popen]:
    """A child process that is stopped (SIGTERM, then SIGKILL after 30 s)
    however the block ends; started inside the ``try`` so that a SIGTERM
    arriving at any moment cannot leave it running on its own."""
    process = None
    try:
        process = subprocess.Popen(command)
        yield process
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _stop_on_sigterm() -> None:
    """SIGTERM ends the server through ``finally`` blocks, so the processes it
    started (gunicorn, the embedded worker) stop with it."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


# ------------------------------------------------------------------------- db

@main.group()
def db() -> None:
    """Database migrations (core and every enabled plugin)."""


@db.command("upgrade")
@with_app
def db_upgrade() -> None:
    """Migrate core and every enabled plugin to their newest revision."""
    from core import migrate as mig

    branches = mig.upgrade()
    click.echo(f"Up to date: {', '.join(branches)}")


@db.command("downgrade")
@click.argument("branch")
@click.argument("revision", default="-1")
@with_app
def db_downgrade(branch: str, revision: str) -> None:
    """Step BRANCH (core or a plugin) back to REVISION (-1, base or an id)."""
    from core import migrate as mig

    mig.downgrade(branch, revision)
    click.echo(f"Downgraded {branch} to {revision}")


@db.command("current")
@with_app
def db_current() -> None:
    """Show each branch's revision in the database and in the code."""
    from core import migrate as mig

    st = mig.status()
    for branch, head in st.heads.items():
        now = st.current.get(branch) or "(none)"
        state = "up to date" if now == head else f"behind (code has {head})"
        click.echo(f"{branch:20} {now:14} {state}")
    for rev in st.unknown:
        click.echo(f"{'?':20} {rev:14} unknown to this code (newer Trellis or removed plugin)")


@db.command("revision")
@click.argument("branch")
@click.option("-m", "--message", required=True)
@click.option("--empty", is_flag=True, help="Do not autogenerate; write an empty revision.")
@with_app
def db_revision(branch: str, message: str, empty: bool) -> None:
    """Write a new migration for BRANCH (core or a plugin), touching only its tables."""
    from core import migrate as mig

    click.echo(mig.new_revision(branch, message, autogenerate=not empty))


# -------------------------------------------------------------------- plugins

@main.group()
def plugins() -> None:
    """Installed plugins."""


@plugins.command("list")
@with_app
def plugins_list() -> None:
    """Every plugin found, enabled or not, with version and requirements."""
    reg = _app().extensions["trellis"]
    rows = [(p, "enabled") for p in reg.plugins] + [(p, "disabled") for p in reg.disabled]
    click.echo(f"{'NAME':18} {'VERSION':9} {'STATE':9} {'ORIGIN':9} {'REQUIRES':16} TITLE")
    for info, state in rows:
        origin = "built-in" if info.builtin else "installed"
        if info.manifest is None:
            click.echo(f"{info.name:18} {'?':9} {'broken':9} {origin:9} {'':16} {info.error}")
            continue
        m = info.manifest
        click.echo(f"{m.name:18} {m.version:9} {state:9} {origin:9} "
                   f"{', '.join(m.requires) or '-':16} {m.title}")


# ---------------------------------------------------------------------- users

@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.argument("email")
@click.option("--name", default=None, help="Display name (default: the part before @).")
@click.option("--password", default=None, help="8+ characters; prompted on a terminal.")
@click.option("--role", default="sales", show_default=True)
@with_app
def users_create(email: str, name: str | None, password: str | None, role: str) -> None:
    """Create a user who can sign in."""
    from core.services.users import create_user

    if password is None:
        if not sys.stdin.isatty():
            _fail("--password is required when not running on a terminal")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = create_user({"email": email, "name": name or email.split("@")[0],
                        "password": password}, None, role=role)
    click.echo(f"Created {user.email} ({role})")


@users.command("list")
@with_app
def users_list() -> None:
    """All users with role, team and state."""
    from sqlalchemy import select

    from core.extensions import db
    from core.models import User

    for u in db.session.scalars(select(User).order_by(User.email)):
        state = "active" if u.is_active else "inactive"
        click.echo(f"{u.email:32} {u.name:20} {(u.role.name if u.role else '-'):10} "
                   f"{(u.team.name if u.team else '-'):16} {state}")


@users.command("set-password")
@click.argument("email")
@click.option("--password", default=None, help="8+ characters; prompted on a terminal.")
@with_app
def users_set_password(email: str, password: str | None) -> None:
    """Set a user's password (their other sessions end)."""
    from core.services.users import find_user, set_password

    user = find_user(email)
    if password is None:
        if not sys.stdin.isatty():
            _fail("--password is required when not running on a terminal")
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    set_password(user, password, None)
    click.echo(f"Password changed for {user.email}")


@users.command("token")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@with_app
def users_token(email: str, name: str) -> None:
    """Create a personal API token for EMAIL and print it (shown once)."""
    from core.services.tokens import create_token
    from core.services.users import find_user

    _token, secret = create_token(find_user(email), name, None)
    click.echo(secret)


# ------------------------------------------------------------ jobs and worker

from core.cli_jobs import embedded_worker, jobs, worker  # noqa: E402  (they use the helpers above)

main.add_command(jobs)
main.add_command(worker)
