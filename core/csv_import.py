"""Records from an uploaded spreadsheet (CSV): every row checked before any
is written, so a file is imported whole or not at all.

:func:`csv_rows` is what an import calls: it reads the file (UTF-8 with or
without the byte-order mark Excel writes, else GB18030 — what Excel saves on
a Chinese Windows — else an encoding charset-normalizer detects), checks
the header row, and loads every row through a marshmallow schema. Bad rows
do not stop the reading: the one :class:`RowErrors` raised lists them all,
by line, each with its fields' messages. :func:`read_csv` and
:func:`load_rows` are its two halves, for an import that reports its bad
rows its own way (the sales plugin's leads may skip them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import marshmallow

from core.errors import TrellisError, ValidationError
from core.i18n import _
from core.services.base import load

#: the most rows a file may hold, unless the caller says otherwise
MAX_ROWS = 10_000

#: ``(line, values)``: a row's line in the file (the header is line 1) and its
#: cells by column, trimmed, an empty cell ``None``
Row = tuple[int, dict[str, str | None]]


class RowErrors(ValidationError):
    """Rows of an import are invalid (HTTP 422); nothing was written.
    ``errors`` is ``{"rows": {"<line>": {field: [messages]}}}`` — every bad
    row, keyed by its line in the file as text (as JSON keys are)."""

    def __init__(self, rows: Mapping[int, dict[str, list[str]]]):
        self.rows = {str(line): messages for line, messages in rows.items()}
        TrellisError.__init__(self, f"invalid rows — {self.summary}")
        self.errors = {"rows": self.rows}  # type: ignore[dict-item]  # one level deeper

    @property
    def summary(self) -> str:
        """Every bad row's messages on one line, for a page's message."""
        return "; ".join(
            _("line %(line)s: %(field)s: %(message)s", line=line, field=field, message=message)
            for line, fields in self.rows.items()
            for field, messages in fields.items()
            for message in messages
        )


#: what charset-normalizer may name when a file is neither UTF-8 nor GB18030:
#: encodings whose guess is trustworthy (a short Latin text in cp1252 is often
#: guessed as some code page nobody saves spreadsheets in — refused, not garbled)
DETECTABLE = frozenset(
    {"utf_16", "utf_32", "big5", "cp950", "shift_jis", "cp932", "euc_jp", "cp1252", "latin_1"}
)


def detect_encoding(data: bytes) -> str:
    """The encoding of an uploaded text file: UTF-8 (with or without the
    byte-order mark), else GB18030 (which GBK and GB2312 are part of: what
    Excel saves on a Chinese Windows), else what charset-normalizer detects
    among :data:`DETECTABLE`; a 422 naming ``file`` when it is none of these."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    from charset_normalizer import from_bytes  # only for the rare file that needs it

    best = from_bytes(data).best()
    if best is not None and best.encoding in DETECTABLE:
        return best.encoding
    raise ValidationError({"file": [_("the file is not text in UTF-8 or GB18030")]})


def decode_csv(data: bytes | str) -> str:
    """The text of an uploaded CSV in the encoding :func:`detect_encoding`
    finds; a 422 naming ``file`` when it finds none."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    return data.decode(detect_encoding(data)).removeprefix("\ufeff")


def read_csv(
    data: bytes | str,
    columns: Sequence[str],
    *,
    required: Iterable[str] = (),
    aliases: Mapping[str, str] | None = None,
    max_rows: int = MAX_ROWS,
    other_columns: bool = False,
) -> list[Row]:
    """The rows of a CSV whose first row names its columns.

    Each header cell must be one of ``columns`` or a key of ``aliases`` (a
    header as people write it, ``"姓名"``, mapped to its column, ``"name"``),
    each column at most once and every ``required`` one present — unless
    ``other_columns``, when the cells of a column we do not know (a
    statement from another system carries its own) are left out. Blank rows
    are skipped; cells past the header's are ignored. A file that is not
    CSV, has no such header or holds more than ``max_rows`` rows is refused
    whole: a 422 naming ``file``."""
    reader = csv.reader(io.StringIO(decode_csv(data), newline=""), strict=True)
    try:
        header = next(reader, None)
        if other_columns and header:
            known = {*columns, *(aliases or {})}
            header = [cell if cell.strip() in known else "" for cell in header]
        names = _header(header, columns, set(required), aliases or {})
        rows: list[Row] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == max_rows:
                raise ValidationError(
                    {"file": [_("a file may hold at most %(num)d rows", num=max_rows)]}
                )
            values = [cell.strip() or None for cell in cells] + [None] * len(names)
            row = dict(zip(names, values, strict=False))
            row.pop("", None)  # the columns left out
            rows.append((reader.line_num, row))
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
    return rows


def _header(
    cells: list[str] | None, columns: Sequence[str], required: set[str], aliases: Mapping[str, str]
) -> list[str]:
    """The column of each header cell; a 422 naming ``file`` if a cell names
    none, names one twice, or a required column is missing."""
    names = [aliases.get(cell.strip(), cell.strip()) for cell in cells or ()]
    known = [name for name in names if name]  # "": a column left out
    if not known or set(known) - set(columns) or len(set(known)) < len(known):
        raise ValidationError(
            {
                "file": [
                    _(
                        "the first row must name the columns, among: %(columns)s",
                        columns=", ".join(columns),
                    )
                ]
            }
        )
    missing = [column for column in columns if column in required and column not in names]
    if missing:
        raise ValidationError(
            {"file": [_("the first row lacks the columns %(columns)s", columns=", ".join(missing))]}
        )
    return names


def load_rows(
    rows: Iterable[Row], schema: marshmallow.Schema
) -> tuple[list[dict[str, Any]], dict[int, dict[str, list[str]]]]:
    """Each row's values through ``schema`` (as :func:`core.api.load`): the
    rows that loaded, in order, and the messages of each that did not, by
    its line."""
    good, bad = [], {}
    for line, values in rows:
        try:
            good.append(load(schema, values))
        except ValidationError as exc:
            bad[line] = exc.errors
    return good, bad


def schema_columns(schema: marshmallow.Schema) -> tuple[list[str], list[str]]:
    """The columns a CSV for ``schema`` may have — its loaded fields, by the
    name input uses — and those it must have (its required fields)."""
    fields = [(field.data_key or name, field) for name, field in schema.load_fields.items()]
    return [key for key, _field in fields], [key for key, field in fields if field.required]


def csv_rows(
    data: bytes | str,
    schema: marshmallow.Schema,
    *,
    aliases: Mapping[str, str] | None = None,
    max_rows: int = MAX_ROWS,
    other_columns: bool = False,
) -> list[dict[str, Any]]:
    """Every row of an uploaded CSV, loaded through ``schema``, before any
    is written: the header names the schema's fields (or ``aliases`` of
    them; the required ones present; others only with ``other_columns``,
    see :func:`read_csv`), an empty cell is a value left out. A
    bad file is a 422 naming ``file``; bad rows are one :class:`RowErrors`
    listing them all."""
    columns, required = schema_columns(schema)
    rows = read_csv(
        data,
        columns,
        required=required,
        aliases=aliases,
        max_rows=max_rows,
        other_columns=other_columns,
    )
    # an empty cell is a value left out: the field's default, or "required"
    given: list[Row] = [
        (line, {k: v for k, v in values.items() if v is not None}) for line, values in rows
    ]
    good, bad = load_rows(given, schema)
    if bad:
        raise RowErrors(bad)
    return good
