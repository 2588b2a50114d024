"""An import's file read into rows: CSV in any encoding core detects
(:func:`core.csv_import.detect_encoding`: UTF-8 with or without the BOM,
GBK / GB18030, …), an XLSX workbook's first sheet (openpyxl, read-only), or
the cards of a vCard file (vobject), each card a row of fixed columns.

Every cell is text (or ``None`` when empty), never evaluated: a cell that
starts like a formula (``=``, ``+``, ``-``, ``@``) is the text it holds,
and an XLSX formula is read as its text, not its computed value.

The limits are per file, each a 422 naming ``file``: an encoding not
known, more than :data:`MAX_COLUMNS` columns, more than
``TRELLIS_IMPORT_MAX_MB`` megabytes, no rows at all.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask import current_app

from core.csv_import import detect_encoding
from core.errors import ValidationError
from core.i18n import _

MAX_COLUMNS = 200
#: the default of ``TRELLIS_IMPORT_MAX_MB``
DEFAULT_MAX_MB = 50
#: the columns of a vCard file, each card one row
VCARD_COLUMNS = ("Name", "Company", "Title", "Phone", "E-mail", "Birthday", "Address", "Note")
KINDS = ("csv", "xlsx", "vcard")

#: ``(line, cells)``: the row's line in the file (a card's number in a vCard
#: file) and its cells in column order
Line = tuple[int, list[str | None]]


@dataclass
class Table:
    """A file's columns and rows, and what it was read as."""

    kind: str
    columns: list[str]
    rows: list[Line] = field(default_factory=list)
    encoding: str | None = None


def max_bytes() -> int:
    """The largest file an import takes (``TRELLIS_IMPORT_MAX_MB``, default 50)."""
    value = current_app.config.get("TRELLIS_IMPORT_MAX_MB") or DEFAULT_MAX_MB
    try:
        return int(value) * 1024 * 1024
    except (TypeError, ValueError):
        return DEFAULT_MAX_MB * 1024 * 1024


def file_kind(data: bytes, filename: str) -> str:
    """``xlsx`` (a zip), ``vcard`` (starts ``BEGIN:VCARD``) or ``csv``, by content."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    head = data[:64].lstrip(b"\xef\xbb\xbf \r\n\t").upper()
    if head.startswith(b"BEGIN:VCARD") or filename.lower().endswith((".vcf", ".vcard")):
        return "vcard"
    return "csv"


def check_size(data: bytes) -> None:
    """Refuse an empty file or one over the limit (422 naming ``file``)."""
    if not data.strip():
        raise ValidationError({"file": [_("the file is empty")]})
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationError(
            {"file": [_("the file is larger than %(num)d MB", num=limit // (1024 * 1024))]}
        )


def read_table(data: bytes, filename: str) -> Table:
    """The file's columns and rows; a 422 naming ``file`` for a bad file."""
    check_size(data)
    kind = file_kind(data, filename)
    table = {"xlsx": _xlsx, "vcard": _vcard, "csv": _csv}[kind](data)
    if len(table.columns) > MAX_COLUMNS:
        raise ValidationError(
            {"file": [_("a file may hold at most %(num)d columns", num=MAX_COLUMNS)]}
        )
    if not table.rows:
        raise ValidationError({"file": [_("the file holds no rows under its header")]})
    return table


def _cell(value: Any) -> str | None:
    """A cell as text: empty → None; a whole float without its ``.0``; a date as ISO."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == time(0) else value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _header(cells: list[Any]) -> list[str]:
    """The column names: trimmed; an empty or repeated name made unique."""
    names: list[str] = []
    for i, raw in enumerate(cells):
        name = _cell(raw) or _("Column %(num)d", num=i + 1)
        while name in names:
            name += "'"
        names.append(name)
    return names


def _rows(lines: Iterator[tuple[int, list[Any]]]) -> Table:
    columns: list[str] | None = None
    rows: list[Line] = []
    for line, raw in lines:
        cells = [_cell(v) for v in raw]
        if not any(cells):
            continue
        if columns is None:
            raw = raw[: max(i for i, cell in enumerate(cells) if cell) + 1]  # trailing empties
            if len(raw) > MAX_COLUMNS:
                raise ValidationError(
                    {"file": [_("a file may hold at most %(num)d columns", num=MAX_COLUMNS)]}
                )
            columns = _header(raw)
            continue
        cells = (cells + [None] * len(columns))[: len(columns)]
        rows.append((line, cells))
    return Table("csv", columns or [], rows)


def _csv(data: bytes) -> Table:
    encoding = detect_encoding(data)
    text = data.decode(encoding).removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    csv.field_size_limit(10 * 1024 * 1024)
    try:
        table = _rows((reader.line_num, cells) for cells in reader)
    except csv.Error as exc:
        raise ValidationError(
            {
                "file": [
                    _(
                        "line %(line)s is not valid CSV: %(error)s",
                        line=reader.line_num,
                        error=str(exc),
                    )
                ]
            }
        ) from None
    table.encoding = encoding
    return table


def _xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:  # data_only=False: a formula is read as its text, never its result
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationError({"file": [_("the file is not an XLSX workbook")]}) from None
    try:
        sheet = book.worksheets[0]
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise ValidationError(
                {"file": [_("a file may hold at most %(num)d columns", num=MAX_COLUMNS)]}
            )
        table = _rows(
            (i, list(row))
            for i, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), 1)
        )
    finally:
        book.close()
    table.kind = "xlsx"
    return table


def _vcard(data: bytes) -> Table:
    import vobject

    encoding = detect_encoding(data)
    text = data.decode(encoding).removeprefix("\ufeff")
    rows: list[Line] = []
    try:
        for number, card in enumerate(vobject.readComponents(text), 1):
            rows.append((number, [_cell(v) for v in _card_cells(card)]))
    except Exception as exc:  # vobject raises its own ParseError and others
        raise ValidationError(
            {"file": [_("the file is not a vCard file: %(error)s", error=str(exc)[:200])]}
        ) from None
    return Table("vcard", list(VCARD_COLUMNS), [r for r in rows if any(r[1])], encoding)


def _card_cells(card: Any) -> list[Any]:
    def values(name: str) -> list[Any]:
        return [c.value for c in card.contents.get(name, [])]

    def joined(name: str) -> str:
        return "; ".join(str(v).strip() for v in values(name) if str(v).strip())

    org = values("org")
    company = "; ".join(org[0]) if org and isinstance(org[0], list) else (org[0] if org else "")
    name = joined("fn")
    if not name and values("n"):
        n = values("n")[0]
        name = f"{n.family}{n.given}".strip() if hasattr(n, "family") else str(n)
    address = "; ".join(
        " ".join(
            str(part)
            for part in (a.street, a.city, a.region, a.code, a.country)
            if part and str(part).strip()
        )
        for a in values("adr")
    )
    return [
        name,
        company,
        joined("title"),
        joined("tel"),
        joined("email"),
        joined("bday"),
        address,
        joined("note"),
    ]
