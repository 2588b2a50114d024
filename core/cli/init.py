"""``trellis init``: create the instance — database, secret key and the
first administrator, optionally with demo data."""

from __future__ import annotations

import secrets
import sys

import click

from core.cli.base import _app, _fail, with_app
from core.i18n import _


@click.command()
@click.option("--demo", is_flag=True, help="Load believable demo data.")
@click.option(
    "--locale",
    type=click.Choice(["en", "zh_CN"]),
    default=None,
    help="Default language (and the language of the demo data).",
)
@click.option("--admin-email", help="E-mail of the first administrator.")
@click.option(
    "--admin-password",
    help="Password (8+ characters); generated if omitted when not on a terminal.",
)
@with_app
def init(
    demo: bool, locale: str | None, admin_email: str | None, admin_password: str | None
) -> None:
    """Create the instance: database, secret key, first administrator."""
    from core.instance import check_can_initialise, database_shown, initialise

    check_can_initialise(None, None)
    interactive = sys.stdin.isatty()
    if not admin_email:
        if not interactive:
            _fail(_("--admin-email is required when not running on a terminal"))
        admin_email = click.prompt(_("Administrator e-mail"))
    generated = False
    if not admin_password:
        if interactive:
            admin_password = click.prompt(
                _("Administrator password"), hide_input=True, confirmation_prompt=True
            )
        else:
            admin_password, generated = secrets.token_urlsafe(12), True
    admin = initialise(admin_email, admin_password, locale or _app().config["TRELLIS_LOCALE"], demo)
    click.echo(_("Trellis is ready at %(url)s.", url=database_shown()))
    click.echo(_("Administrator: %(email)s", email=admin.email))
    if generated:
        click.echo(
            _(
                "Password: %(password)s   (shown once; change it with "
                "`trellis users set-password`)",
                password=admin_password,
            )
        )
