"""Personal data kept encrypted (个人敏感信息): national ID numbers, bank
accounts, medical record numbers — what a plugin must not keep as plain text.

A column of type :class:`Encrypted` holds its value encrypted with Fernet
(AES-128-CBC with an HMAC-SHA256, from the ``cryptography`` project) under
the instance's PII keys, and reads back as plain text. The same value
encrypts differently every time, so it cannot be looked up by equality: a
:func:`lookup_column` beside it keeps an HMAC of the value, written on every
flush, and :func:`pii_match` finds rows by it. Lists, exports and the API show
:func:`mask` (``110***********1234``) unless the reader holds a permission
(:func:`disclose`); the audit log records masked values (``snapshot``).

**Keys.** ``TRELLIS_PII_KEYS``: Fernet keys (``trellis pii new-key``), the
first encrypts, every one decrypts. To rotate, put a new key first, run
``trellis pii rotate`` (every encrypted value and lookup hash written again
under it), then drop the old key. Unset in development, a key is generated
into the instance folder (``pii_keys``) — keep that file with your backups,
apart from them: without it the values are lost. Production refuses to
start without the setting when any loaded model has an encrypted column.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app
from sqlalchemy import String, Text, event, inspect, select, type_coerce, update
from sqlalchemy.orm import Session, mapped_column
from sqlalchemy.types import TypeDecorator

from core.errors import ConfigError
from core.extensions import db

KEY_FILE = "pii_keys"
_EXTENSION = "trellis_pii"


class Vault:
    """The instance's PII keys at work: encrypt, decrypt, hash for look-up."""

    def __init__(self, keys: list[str]):
        self.fernet = MultiFernet([Fernet(k) for k in keys])
        # one look-up key per encryption key (derived, never the key itself):
        # while a rotation runs, a value may be hashed under either
        self.lookup_keys = [_derive(k) for k in keys]

    def encrypt(self, text: str) -> str:
        return self.fernet.encrypt(text.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken:
            raise ConfigError(
                "TRELLIS_PII_KEYS: a stored value cannot be read with any configured key "
                "(was a key removed before `trellis pii rotate` ran?)"
            ) from None

    def rotate(self, token: str) -> str:
        """The token encrypted again under the first key."""
        return self.fernet.rotate(token.encode("ascii")).decode("ascii")

    def hashes(self, text: str) -> list[str]:
        """The value's look-up hash under each key, the first key's first."""
        return [hmac.new(k, text.encode(), hashlib.sha256).hexdigest() for k in self.lookup_keys]


def _derive(key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"trellis pii lookup").derive(
        key.encode("ascii")
    )


def parse_keys(value: Any) -> list[str]:
    """``TRELLIS_PII_KEYS`` as a list of checked keys: a TOML list, or text
    separated by commas or spaces (an environment variable)."""
    if value in (None, ""):
        return []
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ConfigError("TRELLIS_PII_KEYS: expected a list of keys")
    keys = []
    for number, key in enumerate(items, 1):
        try:
            Fernet(str(key))
        except (ValueError, TypeError):
            raise ConfigError(
                f"TRELLIS_PII_KEYS: key {number} is not a Fernet key "
                "(make one with: trellis pii new-key)"
            ) from None
        keys.append(str(key))
    return keys


def _instance_keys(folder: Path, create: bool) -> list[str]:
    """The development keys in the instance folder, made on first use."""
    path = folder / KEY_FILE
    if path.exists():
        return parse_keys(path.read_text(encoding="ascii"))
    key = Fernet.generate_key().decode("ascii")
    if create:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # owner-only from the start, as the secret key file
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(key + "\n")
    return [key]


def init_pii(app: Flask, mappers: Iterable | None = None) -> None:
    """Check the keys at start-up (of the app's models, or of ``mappers``);
    the vault itself is made on first use."""
    keys = parse_keys(app.config.get("TRELLIS_PII_KEYS"))
    if not keys and app.config["TRELLIS_ENV"] == "production" and encrypted_columns(mappers):
        raise ConfigError(
            "TRELLIS_PII_KEYS: not set, and production keeps personal data encrypted "
            "(make a key with: trellis pii new-key)"
        )
    app.extensions[_EXTENSION] = None


def vault() -> Vault:
    """The app's vault (keys from the setting, else the instance file)."""
    app = current_app
    found = app.extensions.get(_EXTENSION)
    if found is None:
        keys = parse_keys(app.config.get("TRELLIS_PII_KEYS")) or _instance_keys(
            Path(app.instance_path), create=not app.config.get("TESTING")
        )
        found = app.extensions[_EXTENSION] = Vault(keys)
    return found


class Encrypted(TypeDecorator):
    """A text column stored encrypted (Fernet tokens, as text)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else vault().encrypt(str(value))

    def process_result_value(self, value, dialect):
        return None if value is None else vault().decrypt(value)


def lookup_column(source: str, **kwargs: Any) -> Any:
    """The look-up hash of the :class:`Encrypted` attribute ``source`` of
    the same model, kept by every flush: an indexed ``String(64)``."""
    return mapped_column(String(64), index=True, info={"lookup_of": source}, **kwargs)


def lookup_hash(value: str) -> str:
    """The hash a look-up column keeps for ``value`` (under the first key)."""
    return vault().hashes(value)[0]


def pii_match(column: Any, value: str) -> Any:
    """A condition on a look-up column: its value's hash under any key."""
    return column.in_(vault().hashes(value))


def mask(value: str | None, head: int = 3, tail: int = 4) -> str | None:
    """``value`` with all but the first ``head`` and last ``tail``
    characters starred; a short value starred whole."""
    if value is None:
        return None
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def disclose(
    value: str | None, user: Any, permission: str, masker: Callable[[str], str | None] = mask
) -> str | None:
    """``value`` as ``user`` may read it: whole with ``permission``, else masked."""
    if value is None or (user is not None and user.can(permission)):
        return value
    return masker(value)


_PAIRS: dict[Any, list[tuple[str, str]]] = {}


def lookup_pairs(mapper) -> list[tuple[str, str]]:
    """(look-up column key, encrypted attribute key) of a mapped class."""
    if mapper not in _PAIRS:
        _PAIRS[mapper] = [
            (attr.key, attr.columns[0].info["lookup_of"])
            for attr in mapper.column_attrs
            if "lookup_of" in attr.columns[0].info
        ]
    return _PAIRS[mapper]


def is_encrypted(attr) -> bool:
    """Whether a mapper's column attribute is an :class:`Encrypted` column."""
    return isinstance(attr.columns[0].type, Encrypted)


def hidden_in_audit(attr) -> bool:
    """Look-up hashes say nothing to a reader and are left out of the audit log."""
    return "lookup_of" in attr.columns[0].info


@event.listens_for(Session, "before_flush")
def _keep_lookup_hashes(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        state = inspect(obj)
        for lookup, source in lookup_pairs(state.mapper):
            if obj in session.new or state.attrs[source].history.has_changes():
                value = getattr(obj, source)
                setattr(obj, lookup, None if value is None else lookup_hash(value))


def encrypted_columns(
    mappers: Iterable | None = None,
) -> list[tuple[Any, list[str], list[tuple[str, str]]]]:
    """(mapped class, encrypted attribute keys, look-up pairs) of every model
    with any (the app's models, or those of ``mappers``)."""
    found = []
    registry = db.Model.registry  # type: ignore[attr-defined]  # Flask-SQLAlchemy's declarative base
    for mapper in registry.mappers if mappers is None else mappers:
        keys = [attr.key for attr in mapper.column_attrs if is_encrypted(attr)]
        if keys:
            found.append((mapper.class_, keys, lookup_pairs(mapper)))
    return found


def rotate(
    session: Any,
    chunk: int = 1000,
    progress: Callable[[int], Any] | None = None,
    mappers: Iterable | None = None,
) -> int:
    """Encrypt every stored value again under the first key and hash it
    again; returns the rows written. One transaction per chunk of rows (a
    rotation broken off may be run again: the old keys still decrypt)."""
    box = vault()
    written = 0
    for model, keys, pairs in encrypted_columns(mappers):
        table = model.__table__
        key_column = table.primary_key.columns.values()[0]
        raw = [type_coerce(model.__mapper__.attrs[k].columns[0], Text).label(k) for k in keys]
        last = None
        while True:
            query = select(key_column, *raw).order_by(key_column).limit(chunk)
            if last is not None:
                query = query.where(key_column > last)
            rows = session.execute(query).all()
            if not rows:
                break
            for row in rows:
                values = _rotated(box, dict(row._mapping), keys, pairs, model)
                session.execute(
                    update(table).where(key_column == row[0]).values(values),
                    execution_options={"synchronize_session": False},
                )
            session.commit()
            written += len(rows)
            last = rows[-1][0]
            if progress:
                progress(len(rows))
    return written


def _rotated(box: Vault, row: dict, keys: Iterable[str], pairs, model) -> dict:
    """The table values of one row rotated: tokens re-encrypted (written as
    raw text, past the column type), look-up hashes recomputed."""
    mapper = model.__mapper__
    values: dict = {}
    for key in keys:
        token = row[key]
        name = mapper.attrs[key].columns[0].key
        values[name] = None if token is None else type_coerce(box.rotate(token), Text)
    for lookup, source in pairs:
        token = row[source]
        name = mapper.attrs[lookup].columns[0].key
        values[name] = None if token is None else box.hashes(box.decrypt(token))[0]
    return values
