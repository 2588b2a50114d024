"""``trellis search rebuild``: index every searchable record anew — after a
bulk load, a restore from an older backup, or a plugin's new searchable."""

from __future__ import annotations

import click

from core.cli.base import _fail, with_database
from core.i18n import _


@click.group()
def search() -> None:
    """The search index."""


@search.command("rebuild")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    help="Only this kind (customer, contact, sales.deal, …); repeat for more.",
)
@with_database
def search_rebuild(kinds: tuple[str, ...]) -> None:
    """Index every searchable record anew, with a progress bar."""
    from sqlalchemy import func, select

    from core.extensions import db
    from core.registry import current_registry
    from core.search import rebuild

    declared = current_registry().searchables
    unknown = [k for k in kinds if k not in declared]
    if unknown:
        _fail(
            _(
                "No such searchable kind: %(kind)s (known: %(known)s)",
                kind=unknown[0],
                known=", ".join(declared),
            )
        )
    chosen = list(kinds) or list(declared)
    total = sum(
        db.session.scalar(select(func.count()).select_from(declared[k].model)) or 0 for k in chosen
    )
    with click.progressbar(length=total, label=_("Indexing"), show_pos=True) as bar:
        counts = rebuild(chosen, progress=lambda _kind, n: bar.update(n))
    for kind, count in counts.items():
        click.echo(_("%(kind)s: %(count)s indexed", kind=kind, count=count))
