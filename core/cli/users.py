"""``trellis users``: create and list user accounts, set a password, and
print a new personal API token."""

from __future__ import annotations

import sys

import click

from core.cli.base import _fail, echo_table, with_database
from core.i18n import _


@click.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.argument("email")
@click.option("--name", default=None, help="Display name (default: the part before @).")
@click.option("--password", default=None, help="8+ characters; prompted on a terminal.")
@click.option("--role", default="sales", show_default=True)
@with_database
def users_create(email: str, name: str | None, password: str | None, role: str) -> None:
    """Create a user who can sign in."""
    from core.services.users import create_user

    if password is None:
        if not sys.stdin.isatty():
            _fail(_("--password is required when not running on a terminal"))
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    user = create_user(
        {"email": email, "name": name or email.split("@")[0], "password": password}, None, role=role
    )
    click.echo(_("Created %(email)s (%(role)s)", email=user.email, role=role))


@users.command("list")
@with_database
def users_list() -> None:
    """All users with role, team and state."""
    from sqlalchemy import select

    from core.extensions import db
    from core.models import User

    echo_table(
        [
            u.email,
            u.name,
            u.role.name if u.role else "-",
            u.team.name if u.team else "-",
            _("active") if u.is_active else _("inactive"),
        ]
        for u in db.session.scalars(select(User).order_by(User.email))
    )


@users.command("set-password")
@click.argument("email")
@click.option("--password", default=None, help="8+ characters; prompted on a terminal.")
@with_database
def users_set_password(email: str, password: str | None) -> None:
    """Set a user's password (their other sessions end)."""
    from core.services.users import find_user, set_password

    user = find_user(email)
    if password is None:
        if not sys.stdin.isatty():
            _fail(_("--password is required when not running on a terminal"))
        password = click.prompt(_("New password"), hide_input=True, confirmation_prompt=True)
    set_password(user, password, None)
    click.echo(_("Password changed for %(email)s", email=user.email))


@users.command("token")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option(
    "--days",
    type=int,
    default=None,
    help="Days until it expires (default TRELLIS_TOKEN_DAYS, at most TRELLIS_TOKEN_MAX_DAYS).",
)
@with_database
def users_token(email: str, name: str, days: int | None) -> None:
    """Create a personal API token for EMAIL and print it (shown once)."""
    from core.services.tokens import create_token
    from core.services.users import find_user

    _token, secret = create_token(find_user(email), name, None, days)
    click.echo(secret)
