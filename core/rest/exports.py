"""CSV exports that any list endpoint, core's or a plugin's, can offer.

Rows come from the caller's scoped query, so an export never holds a record
its list would not show; columns come from the output schema after
field-level access, so a hidden field is not in the file at all. The file
streams in batches (memory stays flat for 100,000 rows), starts with a UTF-8
BOM so spreadsheet programs read Chinese correctly, and defuses cells that a
spreadsheet would run as a formula (CSV injection).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterator
from itertools import islice

from flask import Response, stream_with_context
from flask_login import current_user
from marshmallow import Schema
from sqlalchemy import Select

from core.access import hidden_fields
from core.extensions import db

log = logging.getLogger(__name__)
BATCH = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: spreadsheets skip these before a formula: " =1+1" and "\t=cmd" still run
LEADING_BLANKS = " \t\r\n"
#: "+8613800138000" or "-12.5" is a phone number or a number, not a formula
PLAIN_NUMBER = re.compile(r"[+-][\d\s().-]*")
CSV_RESPONSE = {
    200: {
        "description": "CSV file (UTF-8 with BOM)",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def cell(value) -> str:
    """One CSV cell: lists joined with "; ", objects as JSON, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    text = str(value)
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


def csv_export(query: Select, schema: Schema, filename: str) -> Response:
    """Stream the rows of ``query`` (already scoped and sorted) as a CSV download."""
    names = columns(schema)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(names)
        yield "\ufeff" + _drain(buffer)
        count = 0
        rows = db.session.scalars(query.execution_options(yield_per=BATCH))
        while chunk := list(islice(rows, BATCH)):
            for data in schema.dump(chunk, many=True):
                writer.writerow([cell(data.get(name)) for name in names])
            count += len(chunk)
            yield _drain(buffer)
        log.info("export %s: %d rows for user %s", filename, count, current_user.id)

    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
