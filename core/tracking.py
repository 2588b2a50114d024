"""Public tracking links: the secret token in a link a customer gets once —
to follow a repair request or a claim without an account — of which only
the sha256 is kept.

The database then cannot give a token away (a backup, a leaked dump), and a
record is found by the hash of the token presented: the database compares
hashes, so how long a lookup takes tells nothing about a valid token — a
guess close to one has an unrelated hash. A forged, truncated or overlong
token matches nothing: a 404, as a record that does not exist.

Keep the hash in a ``String(64)`` unique column (service_dispatch's work
orders call it ``tracking_hash``), and serve the page that reads it through
``core.api.public`` (rate-limited), as any page without a sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import ColumnElement, false, select

from core.errors import NotFoundError
from core.extensions import db
from core.i18n import _

#: random bytes in a token: 32 URL-safe characters
TOKEN_BYTES = 24
#: a presented token longer than this is none of ours, not worth a hash
LONGEST = 100


def new_tracking_token() -> tuple[str, str]:
    """A fresh unguessable token, to hand out once, and its hash, to keep."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, tracking_hash(token)


def tracking_hash(token: str) -> str:
    """The sha256 of ``token``, as the 64 hex characters a record keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def tracking_match(column: Any, token: str | None) -> ColumnElement[bool]:
    """A condition: ``column`` holds the hash of ``token`` — never true for
    an empty or overlong token."""
    if not token or len(token) > LONGEST:
        return false()
    return column == tracking_hash(token)


def tracked_record(model: type[Any], token: str | None, *, column: str = "tracking_hash") -> Any:
    """The row of ``model`` whose ``column`` holds the hash of ``token``
    (a soft-deleted row is none); :class:`NotFoundError` for any other
    token, so a forged link is a 404."""
    query = select(model).where(tracking_match(getattr(model, column), token))
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    record = db.session.scalar(query)
    if record is None:
        raise NotFoundError(_("This tracking link is not valid."))
    return record
