"""The backup archive: one gzip-compressed tar file that ``tar`` can read.

``manifest.json`` comes first, so a restore reads what the archive is — its
format, the database dialect, the migration revisions — and refuses a wrong
one before it unpacks anything. Then the database (``database.sqlite3`` or
``database.pgdump``) and the uploads (``uploads/...``). The manifest lists
every other member with its size and SHA-256: a restore unpacks a member
only if the manifest lists it, and goes ahead only when every one is there
and matches.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

from marshmallow import Schema, fields, validate
from marshmallow import ValidationError as FieldError

from core.errors import TrellisError
from core.i18n import _

MANIFEST = "manifest.json"
FORMAT = "trellis-backup"
#: the archive layout this code writes and reads; a newer one is refused
FORMAT_VERSION = 1
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024
_MAX_MANIFEST = 64 * 1024 * 1024


class _FileSchema(Schema):
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    size = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class ManifestSchema(Schema):
    """What ``manifest.json`` holds."""

    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    format_version = fields.Integer(required=True, strict=True)
    trellis_version = fields.String(required=True)
    created_at = fields.String(required=True)
    dialect = fields.String(required=True, validate=validate.OneOf(list(DATABASE_MEMBERS)))
    #: the database's migration heads (alembic_version rows) when it was copied
    revisions = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    #: the same revisions by branch (core and each plugin), for people to read
    branches = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    plugins = fields.List(fields.String(), required=True)
    tables = fields.List(fields.String(), required=True)
    database = fields.String(required=True)
    files = fields.Dict(keys=fields.String(), values=fields.Nested(_FileSchema), required=True)


def checksum(path: Path) -> dict[str, Any]:
    """``{"sha256": ..., "size": ...}`` of the file at ``path``."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


class _Hashing:
    """A reader that hashes what passes through it."""

    def __init__(self, source: BinaryIO) -> None:
        self.source, self.digest = source, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        chunk = self.source.read(n)
        self.digest.update(chunk)
        return chunk


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(time.time())
    return info


def write_archive(out: BinaryIO, manifest: dict[str, Any], files: dict[str, Path]) -> None:
    """Write the manifest, then ``files`` (member name -> path), each of
    which must still match the checksum the manifest holds for it."""
    with tarfile.open(fileobj=out, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
        data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
        tar.addfile(_member(MANIFEST, len(data)), io.BytesIO(data))
        for name, path in files.items():
            expected = manifest["files"][name]
            with path.open("rb") as source:
                reader = _Hashing(source)
                tar.addfile(_member(name, expected["size"]), reader)
            if reader.digest.hexdigest() != expected["sha256"]:  # changed since it was summed
                raise TrellisError(
                    _("%(path)s changed during the backup; run it again", path=str(path))
                )


def safe_name(name: str, database: str) -> bool:
    """A member a restore may write: the database, or a plain path under uploads/."""
    parts = PurePosixPath(name).parts
    return name == database or (
        len(parts) > 1
        and parts[0] == "uploads"
        and "\\" not in name
        and not any(p in ("", ".", "..") or p.startswith("/") for p in parts)
    )


def read_archive(
    path: Path, staging: Path, check: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    """Unpack the archive at ``path`` into ``staging``; return its manifest.

    ``check(manifest)`` runs as soon as the manifest is read and refuses an
    archive that does not fit before anything is unpacked. Every member is
    verified against the manifest; any problem raises a one-line
    :class:`TrellisError`.
    """
    if not path.is_file():
        raise TrellisError(_("%(path)s: no such file", path=str(path)))
    try:
        with tarfile.open(path, mode="r|gz") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise TrellisError(
                    _("%(path)s: not a Trellis backup (no manifest.json)", path=str(path))
                )
            source = tar.extractfile(first)
            assert source is not None  # a regular file
            manifest = _manifest(path, source.read(_MAX_MANIFEST))
            check(manifest)
            seen: set[str] = set()
            while (member := tar.next()) is not None:
                expected = manifest["files"].get(member.name)
                if expected is None or member.name in seen or not member.isfile():
                    raise TrellisError(
                        _(
                            "%(path)s: %(name)s is not in its manifest; the backup is damaged",
                            path=str(path),
                            name=member.name,
                        )
                    )
                _unpack(path, tar, member, staging, expected)
                seen.add(member.name)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise _damaged(path, exc) from None
    missing = sorted(set(manifest["files"]) - seen)
    if missing:
        raise TrellisError(
            _(
                "%(path)s: %(name)s is missing; the backup is damaged",
                path=str(path),
                name=missing[0],
            )
        )
    return manifest


def _manifest(path: Path, data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise TrellisError(
            _("%(path)s: manifest.json is not valid JSON (%(error)s)", path=str(path), error=exc)
        ) from None
    if not isinstance(manifest, dict):
        manifest = {}
    version = manifest.get("format_version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise TrellisError(
            _(
                "%(path)s: made by a newer Trellis (backup format %(version)s); "
                "upgrade Trellis to restore it",
                path=str(path),
                version=version,
            )
        )
    try:
        manifest = ManifestSchema().load(manifest)
    except FieldError as exc:
        field, problem = next(iter(_flat(exc.messages)))
        problem = problem.rstrip(".")
        raise TrellisError(
            _(
                "%(path)s: manifest.json is not valid: %(field)s: %(problem)s",
                path=str(path),
                field=field,
                problem=problem,
            )
        ) from None
    for name in manifest["files"]:
        if not safe_name(name, manifest["database"]):
            raise TrellisError(
                _(
                    "%(path)s: the manifest lists a file outside uploads/: %(name)s",
                    path=str(path),
                    name=name,
                )
            )
    if manifest["database"] not in DATABASE_MEMBERS.values() or (
        manifest["database"] not in manifest["files"]
    ):
        raise TrellisError(
            _(
                "%(path)s: manifest.json is not valid: %(field)s: %(problem)s",
                path=str(path),
                field="database",
                problem=manifest["database"],
            )
        )
    return manifest


def _flat(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(messages, dict):
        return [item for key, value in messages.items() for item in _flat(value, f"{prefix}{key}.")]
    if isinstance(messages, list) and messages and not isinstance(messages[0], str):
        return [item for value in messages for item in _flat(value, prefix)]
    return [(prefix.rstrip("."), "; ".join(map(str, messages)))]


def _unpack(
    path: Path, tar: tarfile.TarFile, member: tarfile.TarInfo, staging: Path, expected: dict
) -> None:
    """Copy one member into ``staging``, owner-only (folders 0700, files
    0600), checking size and checksum. Reading fails as a damaged archive;
    writing (a full disk) as itself."""
    source = tar.extractfile(member)
    assert source is not None  # a regular file, checked by the caller
    digest, size = hashlib.sha256(), 0
    target = staging / member.name
    try:
        for folder in reversed(target.relative_to(staging).parents[:-1]):
            (staging / folder).mkdir(mode=0o700, exist_ok=True)
        with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            while chunk := _read(path, source):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except OSError as exc:
        raise TrellisError(
            _("cannot unpack the backup: %(reason)s", reason=exc.strerror or str(exc))
        ) from None
    if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
        raise TrellisError(
            _(
                "%(path)s: %(name)s does not match its checksum; the backup is damaged",
                path=str(path),
                name=member.name,
            )
        )


def _read(path: Path, source: IO[bytes]) -> bytes:
    try:
        return source.read(CHUNK)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise _damaged(path, exc) from None


def _damaged(path: Path, exc: BaseException) -> TrellisError:
    reason = str(exc) or type(exc).__name__
    return TrellisError(
        _("%(path)s: not a Trellis backup, or damaged (%(reason)s)", path=str(path), reason=reason)
    )
