"""Exports that any list endpoint, core's or a plugin's, can offer: the
list's rows as CSV, or as XLSX with ``?format=xlsx``.

Rows come from the caller's scoped query, so an export never holds a record
its list would not show; columns come from the output schema after
field-level access, so a hidden field is not in the file at all. Memory
stays flat for 100,000 rows: the rows are read in batches, the CSV streams
as it is written, and the XLSX is written by openpyxl's write-only workbook
to a temporary file that is then streamed in chunks and deleted.

The CSV starts with a UTF-8 BOM so spreadsheet programs read Chinese
correctly, and defuses cells that a spreadsheet would run as a formula (CSV
injection). The XLSX needs no such prefix: its cells are typed, text is
written as text (a ``=1+1`` stays text, marked "quote prefix" so editing it
in Excel keeps it text), numbers as numbers and dates as dates in the
instance's time zone.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
import tempfile
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import IO, Any
from zoneinfo import ZoneInfo

from flask import Response, request, stream_with_context
from flask_login import current_user
from marshmallow import Schema, fields, validate
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Select
from werkzeug.wsgi import wrap_file

from core.access import hidden_fields
from core.errors import ValidationError
from core.extensions import db
from core.i18n import _, instance_timezone
from core.rest.lists import sorted_by

log = logging.getLogger(__name__)
BATCH = 500
#: bytes per chunk when the XLSX file is streamed
CHUNK = 64 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: spreadsheets skip these before a formula: " =1+1" and "\t=cmd" still run
LEADING_BLANKS = " \t\r\n"
#: "+8613800138000" or "-12.5" is a phone number or a number, not a formula
PLAIN_NUMBER = re.compile(r"[+-][\d\s().-]*")
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_RESPONSE = {
    200: {
        "description": "The rows as CSV (UTF-8 with BOM), or as XLSX with ``format=xlsx``",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def cell(value) -> str:
    """One CSV cell: lists joined with "; ", objects as JSON, formulas defused."""
    if value is None:
        return ""
    text = _text(value)
    bare = text.lstrip(LEADING_BLANKS)
    if (text.startswith(FORMULA_START) or bare.startswith(FORMULA_START)) and not (
        text == bare and PLAIN_NUMBER.fullmatch(text)
    ):
        return "'" + text
    return text


def columns(schema: Schema) -> list[str]:
    hidden = hidden_fields(current_user, getattr(schema, "entity", ""))
    return [
        name for name, field in schema.fields.items() if not field.load_only and name not in hidden
    ]


def export_format() -> str:
    """The format the request asks for: ``?format=xlsx``, else ``csv``; any
    other value is a 422 naming ``format``."""
    value = request.args.get("format", "csv")
    if value not in FORMATS:
        raise ValidationError(
            {"format": [_("Must be one of: %(choices)s.", choices=", ".join(FORMATS))]}
        )
    return value


def export_args(args: type[Schema], sortable: Mapping[str, Any]) -> type[Schema]:
    """An export endpoint's query arguments: ``sorted_by(args, sortable)``
    plus ``format`` (``csv``, the default, or ``xlsx``), so the OpenAPI
    document lists it: ``@bp.arguments(export_args(DealArgs, SORTABLE),
    location="query", as_kwargs=False)``."""
    choice = fields.String(
        load_default="csv",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "the file's format: csv (UTF-8 with BOM) or xlsx"},
    )
    return type(args.__name__, (sorted_by(args, sortable),), {"format": choice})


def csv_export(query: Select, schema: Schema, filename: str) -> Response:
    """The rows of ``query`` (already scoped and sorted) as a download in the
    format the request's ``format`` asks for: CSV by default, streamed; with
    ``?format=xlsx`` an XLSX file (``filename``'s ``.csv`` becomes ``.xlsx``);
    any other value is a 422 naming ``format``. Declare ``format`` with
    :func:`export_args` and the answer with ``@bp.doc(responses=CSV_RESPONSE)``."""
    if export_format() == "xlsx":
        return xlsx_export(query, schema, filename.removesuffix(".csv") + ".xlsx")
    names = columns(schema)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(names)
        yield "\ufeff" + _drain(buffer)
        count = 0
        for chunk in _batches(query):
            for data in schema.dump(chunk, many=True):
                writer.writerow([cell(data.get(name)) for name in names])
            count += len(chunk)
            yield _drain(buffer)
        log.info("export %s: %d rows for user %s", filename, count, current_user.id)

    return Response(
        stream_with_context(lines()), mimetype="text/csv", headers=_download_headers(filename)
    )


def xlsx_export(query: Select, schema: Schema, filename: str) -> Response:
    """The rows of ``query`` (already scoped and sorted) as an XLSX download
    of one sheet: a header row of the visible columns, then a row per record,
    each cell typed (text, number, date) by :func:`xlsx_value`."""
    out = tempfile.TemporaryFile()  # has no name: gone once closed, even after a crash
    try:
        count = _write_xlsx(out, query, schema, _sheet_title(filename))
        size = out.tell()
        out.seek(0)
    except BaseException:
        out.close()
        raise
    log.info("export %s: %d rows for user %s", filename, count, current_user.id)
    headers = {**_download_headers(filename), "Content-Length": str(size)}
    return Response(
        wrap_file(request.environ, out, CHUNK),  # closed (and so deleted) with the response
        mimetype=XLSX_TYPE,
        headers=headers,
        direct_passthrough=True,
    )


def _write_xlsx(out: IO[bytes], query: Select, schema: Schema, title: str) -> int:
    """Write the rows to ``out`` as a workbook of one sheet; the row count."""
    names = columns(schema)
    zone = ZoneInfo(instance_timezone())
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    count = 0
    try:
        sheet.append(names)
        for chunk in _batches(query):
            for data in schema.dump(chunk, many=True):
                row = [xlsx_value(sheet, data.get(n), schema.fields[n], zone) for n in names]
                sheet.append(row)
            count += len(chunk)
    finally:
        book.save(out)  # also on failure: saving removes openpyxl's own temporary file
    return count


def xlsx_value(sheet: Any, value, field: fields.Field, zone: ZoneInfo) -> Any:
    """One XLSX cell from a dumped value: numbers (a ``Decimal`` field's
    string too) as numbers, dates and datetimes as dates (naive, in ``zone``:
    Excel has no time zones), text as text — one a spreadsheet would run as
    a formula as a text cell marked "quote prefix" — lists joined with "; "
    and objects as JSON, like the CSV."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float | Decimal):
        return value if math.isfinite(value) else str(value)  # Excel has no NaN
    if isinstance(value, datetime | date):
        return _local(value, zone)
    if isinstance(value, str) and isinstance(field, fields.Number):
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return number
    if isinstance(value, str) and isinstance(field, fields.DateTime | fields.Date):
        try:
            parse = date.fromisoformat if isinstance(field, fields.Date) else datetime.fromisoformat
            return _local(parse(value), zone)
        except ValueError:
            pass
    text = ILLEGAL_CHARACTERS_RE.sub("", _text(value))
    if cell(text) == text:
        return text
    guarded = WriteOnlyCell(sheet, value=text)
    guarded.data_type = "s"  # openpyxl would write "=..." as a formula
    guarded.quotePrefix = True
    return guarded


def _local(value: date, zone: ZoneInfo) -> date:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(zone).replace(tzinfo=None)
    return value


def _text(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    return str(value)


def _batches(query: Select) -> Iterator[list]:
    rows = db.session.scalars(query.execution_options(yield_per=BATCH))
    while chunk := list(islice(rows, BATCH)):
        yield chunk


def _sheet_title(filename: str) -> str:
    """The sheet's name: the file's, without what Excel refuses in one."""
    stem = filename.rsplit(".", 1)[0]
    return re.sub(r"[\\/*?:\[\]]", "_", stem)[:31] or "export"


def _download_headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
