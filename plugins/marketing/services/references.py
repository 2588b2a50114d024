"""Conditions that reach beyond the customer's own row: the facts other
plugins know of a customer (``fact.<key>``, through core's
``trellis_customer_facts``) and membership of another segment
(``segment``, a segment of segments).

A fact is a select of ``(customer_id, value)``; a condition on it becomes
``Customer.id IN (the customers whose value compares)``, with the customers
who have no row added when the fact's ``missing`` value compares too ("open
work orders at most 0" holds for a customer without any). A segment
condition compiles the other segment's conditions in place, so one query
answers, under the asker's scope; a segment that would include itself,
directly or through others, is refused when saved, and compiling stops at
:data:`MAX_DEPTH` all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select

from core.api import Customer, User, customer_facts, db, translator, utcnow

from ..models import Segment

_, _l = translator("marketing")

#: how deep segments may nest in one another
MAX_DEPTH = 5
#: how the condition builder and the checks see a fact's kind
FACT_FIELD_KINDS = {"number": "number", "date": "recency", "choice": "choice"}
FACT_OPS = {
    "number": ("at_least", "at_most"),
    "recency": ("within_days", "older_than_days", "empty"),
    "choice": ("is", "in", "empty"),
}
PREFIX = "fact."


def fact_of(name: str) -> Any:
    """The declared fact a ``fact.<key>`` field names, or None."""
    if not name.startswith(PREFIX):
        return None
    return customer_facts().get(name.removeprefix(PREFIX))


def forbidden_facts(conditions: list[dict], user: User | None) -> list[str]:
    """The ``fact.<key>`` fields of ``conditions`` that ``user`` may not ask
    (the fact's permission), nested segments' conditions included."""
    allowed = customer_facts(user) if user is not None else customer_facts()
    return [
        name
        for name in field_names(conditions)
        if name.startswith(PREFIX) and name.removeprefix(PREFIX) not in allowed
    ]


def field_names(conditions: list[dict], seen: frozenset[int] = frozenset()) -> list[str]:
    """Every field ``conditions`` name, through the segments they include."""
    names = []
    for condition in conditions:
        name = str(condition.get("field", ""))
        names.append(name)
        inner = _included(condition, seen)
        if inner is not None:
            names += field_names(inner.conditions or [], seen | {inner.id})
    return names


def _included(condition: dict, seen: frozenset[int]) -> Segment | None:
    if condition.get("field") != "segment" or not isinstance(condition.get("value"), int):
        return None
    if condition["value"] in seen or len(seen) >= MAX_DEPTH:
        return None
    segment = db.session.get(Segment, condition["value"])
    return segment if segment is not None and segment.deleted_at is None else None


def includes(conditions: list[dict], segment_id: int) -> bool:
    """Whether ``conditions`` include segment ``segment_id``, directly or
    through the segments they include (a cycle, when saved on it)."""
    return _reaches(conditions, segment_id, frozenset())


def _reaches(conditions: list[dict], target: int, seen: frozenset[int]) -> bool:
    for condition in conditions:
        if condition.get("field") == "segment" and condition.get("value") == target:
            return True
        inner = _included(condition, seen)
        if inner is not None and _reaches(inner.conditions or [], target, seen | {inner.id}):
            return True
    return False


def fact_condition(fact: Any, op: str, value: Any) -> ColumnElement[bool]:
    """``Customer`` matches when its value of ``fact`` compares."""
    rows = fact.values().subquery()
    customer_id, fact_value = list(rows.c)[:2]
    kind = FACT_FIELD_KINDS[fact.kind]
    if op == "empty":  # no value: no row, or a row without one
        return Customer.id.not_in(
            select(customer_id).where(customer_id.is_not(None), fact_value.is_not(None))
        )
    compare: Callable[[Any], Any]
    if kind == "number":
        compare = (lambda v: v >= value) if op == "at_least" else (lambda v: v <= value)
    elif kind == "recency":
        since = utcnow() - timedelta(days=value)
        compare = (lambda v: v >= since) if op == "within_days" else (lambda v: v < since)
    else:
        values = value if op == "in" else [value]
        compare = lambda v: v.in_(values)  # noqa: E731
    matched = Customer.id.in_(select(customer_id).where(compare(fact_value)))
    missing = fact.missing
    if missing is not None and kind == "number" and compare(missing):
        return or_(matched, Customer.id.not_in(select(customer_id).where(customer_id.is_not(None))))
    return matched


def segment_condition(
    value: Any,
    compile_segment: Callable[[Segment, frozenset[int]], ColumnElement[bool]],
    seen: frozenset[int],
) -> ColumnElement[bool]:
    """Members of segment ``value`` — its conditions compiled in place; a
    segment gone to the bin, or one already being compiled, has none."""
    segment = _included({"field": "segment", "value": value}, seen)
    if segment is None:
        return false()
    return compile_segment(segment, seen | {segment.id})
