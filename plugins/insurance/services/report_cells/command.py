"""``trellis insurance rebuild-cells``: add every policy transaction up into
the report cells again — after a load that wrote transactions with plain
SQL, or to check the cells."""

from __future__ import annotations

import click

from core.api import db, translator

_, _l = translator("insurance")


@click.group("insurance")
def insurance() -> None:
    """The insurance plugin's maintenance commands."""


@insurance.command("rebuild-cells")
def rebuild_cells() -> None:
    """Add every policy transaction up into the report cells again."""
    from .keeping import rebuild

    count = rebuild()
    db.session.commit()
    click.echo(_("%(count)s report cells rebuilt", count=count))
