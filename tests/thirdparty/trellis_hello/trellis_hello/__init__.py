"""Greets every new customer: a table of its own, a migration tree of its
own, an event subscriber and a CLI command — all through core's public API."""

from pathlib import Path

import click

from core.api import Manifest, Permission, db, hookimpl, transaction

manifest = Manifest(
    name="hello",
    version="1.0.0",
    title="Hello",
    description="Writes a greeting for every new customer.",
)


@hookimpl
def trellis_models():
    from .models import Greeting

    return [Greeting]


@hookimpl
def trellis_migrations_dir():
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def trellis_permissions():
    return [Permission("hello.read", "Read greetings")]


@hookimpl
def trellis_customer_created(customer):
    from .models import Greeting

    with transaction():
        db.session.add(Greeting(customer_id=customer.id, text=f"Welcome, {customer.name}!"))


@click.command("hello")
def hello_command():
    """Print how many customers were greeted."""
    from sqlalchemy import func, select

    from .models import Greeting

    click.echo(f"{db.session.scalar(select(func.count()).select_from(Greeting))} greetings")


@hookimpl
def trellis_cli_commands():
    return [hello_command]
