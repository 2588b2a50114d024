"""A rule's conditions: all of a list of ``{field, op, value}`` on the
event's record.

``field`` is a column of the record (``grade``, ``source``, ``owner_id``)
or one of its custom fields (``custom_fields.size``). ``op`` is one of

========== ============================================== ===============
op         holds when the record's value …                ``value``
========== ============================================== ===============
eq / ne    equals / differs from ``value`` (as text)      text or number
in         is one of ``value``                            a list
contains   holds ``value`` (text: a part of it; a list:   text
           an item)
empty      is empty (None, "", [], {})                    —
not_empty  is not empty                                   —
gt / lt    is greater / less than ``value`` (numbers as   number, date
           numbers, dates and text as text)
========== ============================================== ===============

An enum compares by its value (``grade`` ``"A"``). This is a simpler
builder than a segment's, documented here; a rule with no conditions runs
on every event of its trigger.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.automation.records import Entity
from core.automation.triggers import plain
from core.i18n import _

OPS = ("eq", "ne", "in", "contains", "empty", "not_empty", "gt", "lt")
#: ops that take no value
UNARY = ("empty", "not_empty")
MAX_CONDITIONS = 20


def check(conditions: Any, entity: Entity | None) -> dict[str, list[str]]:
    """Errors by field (``conditions.0.field`` …); none when they are sound."""
    if conditions in (None, []):
        return {}
    if not isinstance(conditions, list):
        return {"conditions": [_("expected a list of conditions")]}
    if len(conditions) > MAX_CONDITIONS:
        return {"conditions": [_("at most %(n)d conditions", n=MAX_CONDITIONS)]}
    if entity is None:
        return {"conditions": [_("this event is about no record: it takes no conditions")]}
    known = entity.fields()
    errors: dict[str, list[str]] = {}
    for i, condition in enumerate(conditions):
        where = f"conditions.{i}"
        if not isinstance(condition, dict):
            errors[where] = [_("expected {field, op, value}")]
            continue
        if condition.get("field") not in known:
            errors[f"{where}.field"] = [
                _(
                    "no such field of %(record)s: %(field)s",
                    record=entity.type,
                    field=condition.get("field"),
                )
            ]
        op = condition.get("op")
        if op not in OPS:
            errors[f"{where}.op"] = [_("must be one of: %(options)s", options=", ".join(OPS))]
        elif op not in UNARY and "value" not in condition:
            errors[f"{where}.value"] = [_("this operator needs a value")]
        elif op == "in" and not isinstance(condition.get("value"), list):
            errors[f"{where}.value"] = [_("expected a list of values")]
    return errors


def value_of(record: Any, field: str) -> Any:
    """The record's value of ``field`` (a column, or ``custom_fields.<key>``)."""
    if field.startswith("custom_fields."):
        return (getattr(record, "custom_fields", None) or {}).get(field.split(".", 1)[1])
    return plain(getattr(record, field, None))


def holds(conditions: list[dict[str, Any]], record: Any) -> bool:
    """Whether every condition holds for ``record``."""
    return all(
        _holds(c["op"], value_of(record, c["field"]), c.get("value")) for c in conditions or []
    )


def _text(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return "" if value is None else str(value)


def _holds(op: str, actual: Any, expected: Any) -> bool:
    if op == "empty":
        return actual in (None, "", [], {})
    if op == "not_empty":
        return actual not in (None, "", [], {})
    if op == "eq":
        return _text(actual) == _text(expected)
    if op == "ne":
        return _text(actual) != _text(expected)
    if op == "in":
        return _text(actual) in {_text(v) for v in expected}
    if op == "contains":
        if isinstance(actual, (list, tuple, set)):
            return _text(expected) in {_text(v) for v in actual}
        if isinstance(actual, dict):
            return _text(expected) in actual
        return _text(expected) in _text(actual)
    if actual is None:
        return False
    left, right = _comparable(actual, expected)
    return left > right if op == "gt" else left < right


def _comparable(actual: Any, expected: Any) -> tuple[Any, Any]:
    """Numbers as numbers, anything else (dates included) as ISO text."""
    if isinstance(actual, (int, float, Decimal)) and not isinstance(actual, bool):
        try:
            return Decimal(str(actual)), Decimal(str(expected))
        except ArithmeticError:
            pass
    return _text(actual), _text(expected)
