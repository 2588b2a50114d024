"""``trellis pii new-key`` and ``trellis pii rotate``: the keys personal
data is encrypted with (:mod:`core.pii`)."""

from __future__ import annotations

import click

from core.cli.base import with_database
from core.i18n import _


@click.group()
def pii() -> None:
    """The keys personal data is encrypted with."""


@pii.command("new-key")
def pii_new_key() -> None:
    """Print a new key for TRELLIS_PII_KEYS (put it first, then rotate)."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode("ascii"))


@pii.command("rotate")
@with_database
def pii_rotate() -> None:
    """Encrypt every stored value again under the first key, with a progress bar."""
    from sqlalchemy import func, select

    from core.extensions import db
    from core.pii import encrypted_columns, rotate

    total = sum(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model, _keys, _pairs in encrypted_columns()
    )
    with click.progressbar(length=total, label=_("Encrypting again"), show_pos=True) as bar:
        written = rotate(db.session, progress=bar.update)
    click.echo(_("%(count)s records encrypted under the first key", count=written))
