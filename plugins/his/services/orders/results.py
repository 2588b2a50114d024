"""Examination results imported from a CSV (a laboratory system's export):
one row per order — ``order`` (its id or number), ``value``, ``unit``,
``flag``, ``text`` — every row checked before any is written, so a file is
imported whole or not at all; a bad row is reported by its line."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError as FieldError
from marshmallow import fields, validate, validates_schema

from core.api import User, csv_rows, db, transaction, translator

from ...models import ExamOrder
from .access import visible_exam_orders
from .exams import result_state_error, write_result
from .inputs import ResultInput

_, _l = translator("his")

#: headers people write, mapped to the columns
ALIASES = {
    "order_id": "order",
    "number": "order",
    "医嘱号": "order",
    "单号": "order",
    "结果": "value",
    "单位": "unit",
    "标志": "flag",
    "说明": "text",
}


class ResultRow(ResultInput):
    """A row of the file; the order must be one the importer sees, still
    waiting for its result, and named once in the file."""

    order = fields.String(required=True, validate=validate.Length(min=1, max=24))

    def __init__(self, user: User | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.seen: set[int] = set()

    def find(self, ref: str) -> ExamOrder | None:
        query = visible_exam_orders(self.user)
        ref = ref.strip()
        if ref.isdigit() and len(ref) < 10:
            found = db.session.scalar(query.where(ExamOrder.id == int(ref)))
            if found is not None:
                return found
        return db.session.scalar(query.where(ExamOrder.number == ref))

    @validates_schema
    def check(self, data: dict, **kwargs: Any) -> None:
        if not data.get("value") and not data.get("text"):
            raise FieldError(_("give a value or a text"), "value")
        order = self.find(data["order"])
        if order is None:
            raise FieldError(_("no examination order with this id or number"), "order")
        message = result_state_error(order)
        if message:
            raise FieldError(message, "order")
        if order.id in self.seen:
            raise FieldError(_("this order is on an earlier line"), "order")
        self.seen.add(order.id)
        data["order"] = order


def import_results(data: bytes | str, actor: User | None) -> list[ExamOrder]:
    """Enter the results of a CSV; answers the orders resulted."""
    rows = csv_rows(data, ResultRow(actor), aliases=ALIASES, max_rows=2000)
    with transaction():
        for row in rows:
            write_result(row["order"], row, actor)
    return [row["order"] for row in rows]
