"""Checking uploaded files: what type they are, what they are called, how
big and how many — before anything is stored.

A file's type is decided by its first bytes (its "magic"), never by the name
or the type the browser claims, so a script renamed ``photo.jpg`` is refused.
The name follows the type: a PNG sent as ``page.html`` is kept as
``page.png``. The limits are parameters, so each kind of record chooses its
own (a work order takes ten photos, a contract more scans).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from werkzeug.datastructures import FileStorage

from core.errors import StateError, ValidationError
from core.i18n import _

#: the default limits: 10 MB a file, 10 files a record
MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic")
#: the HEIF brands an iPhone photo (``ftyp`` box) may carry
HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
#: the extensions of each accepted type; a name gets the first unless it has one of them
EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/heic": (".heic", ".heif"),
    "application/pdf": (".pdf",),
}


@dataclass
class Upload:
    """A checked file, not yet stored: its name (with the type's extension),
    the type its content proves, and its bytes."""

    filename: str
    content_type: str
    data: bytes


def accepted_types(*, images_only: bool = False) -> tuple[str, ...]:
    """The content types the checks (:func:`check`) accept — the photos' alone with
    ``images_only`` — e.g. for an upload's OpenAPI description."""
    return IMAGE_TYPES if images_only else tuple(EXTENSIONS)


def sniff(head: bytes) -> str | None:
    """The content type the first bytes prove, or ``None`` if not one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def named(name: str, kind: str) -> str:
    """``name`` with an extension of the type ``kind``: kept when it has one
    already (``Photo.JPEG``), else put in place of its own (``x.html`` →
    ``x.png``) or added (``scan`` → ``scan.pdf``); at most 200 characters."""
    extensions = EXTENSIONS.get(kind)
    if not extensions:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and stem and f".{ext.lower()}" in extensions:
        return name
    base = stem if dot and stem else name
    return base[: 200 - len(extensions[0])] + extensions[0]


def chosen(files: Iterable[FileStorage | None]) -> list[FileStorage]:
    """The parts that carry a file (a form with no file chosen posts an empty part)."""
    return [f for f in files if f is not None and f.filename]


def _clean_name(filename: str) -> str:
    """The base name without folders or control characters: a name with a
    line break could not be sent back in a download's Content-Disposition."""
    raw = Path(filename.replace("\\", "/")).name
    return "".join(c for c in raw if c.isprintable())[:200] or "file"


def check(
    files: Iterable[FileStorage | None],
    already: int = 0,
    *,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_BYTES,
    images_only: bool = False,
) -> list[Upload]:
    """Read and check ``files`` for a record that holds ``already`` files:
    every problem in one error naming ``file`` — a 422 for bad input, a 409
    when the only problem is that the record is full."""
    problems: list[str] = []
    files = chosen(files)
    if already + len(files) > max_files:
        problems.append(_("At most %(num)d files may be attached.", num=max_files))
    uploads = []
    for storage in files[:max_files]:
        name = _clean_name(storage.filename or "")
        data = storage.stream.read(max_bytes + 1)
        kind = sniff(data[:16])
        if len(data) > max_bytes:
            problems.append(
                _("%(name)s is larger than %(limit)s MB.", name=name, limit=_megabytes(max_bytes))
            )
        elif not data:
            problems.append(_("%(name)s is empty.", name=name))
        elif kind is None or (images_only and kind not in IMAGE_TYPES):
            problems.append(
                _("%(name)s is not a JPEG, PNG, WebP or HEIC photo.", name=name)
                if images_only
                else _("%(name)s is not a JPEG, PNG, WebP, HEIC photo or a PDF.", name=name)
            )
        else:
            uploads.append(Upload(named(name, kind), kind, data))
    if problems:
        # the record already holds files: a clash with what is stored (409), not bad input
        full = len(problems) == 1 and len(files) <= max_files < already + len(files)
        raise (StateError if full else ValidationError)({"file": problems})
    return uploads


def _megabytes(size: int) -> str:
    """``size`` bytes as a number of MB, without a needless ``.0``."""
    value = size / (1024 * 1024)
    return f"{value:g}"
