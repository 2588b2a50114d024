"""What a segment's condition may ask, and the SQL it becomes.

A condition is ``{"field", "op", "value", "days", "negate"}``. :data:`FIELDS`
names every field a condition may name — the customer's own columns, its
tags, owner and team, contact recency and activity counts — with the
operators that apply to it; a custom field is ``custom.<key>`` (core's
custom-field definitions say which keys exist). :func:`check` says what is
wrong with one condition (per key, for the form and the 422);
:func:`compile_conditions` turns the checked list into one SQL condition
over ``Customer``, which the caller puts on core's *scoped* customer query,
never on a bare one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, select, true

from core.api import (
    Activity,
    Customer,
    CustomerKind,
    Grade,
    Stage,
    Tag,
    User,
    custom_field_definitions,
    db,
    hidden_fields,
    team_subtree,
    translator,
    utcnow,
)

from ..models import Segment
from .references import (
    FACT_FIELD_KINDS,
    FACT_OPS,
    fact_condition,
    fact_of,
    field_names,
    forbidden_facts,
    segment_condition,
)

_, _l = translator("marketing")

#: the operators, by the kind of value they compare
TEXT_OPS = ("equals", "contains", "starts_with", "empty")
CHOICE_OPS = ("is", "in", "empty")
NUMBER_OPS = ("at_least", "at_most", "empty")
RECENCY_OPS = ("within_days", "older_than_days", "empty")
ID_OPS = ("is", "in", "empty")
TAG_OPS = ("has",)
COUNT_OPS = ("at_least", "at_most")
#: operators that read no value
NO_VALUE = ("empty",)


@dataclass(frozen=True)
class Field:
    """A field a condition may name: its label, its kind of value (which
    decides the operators) and, for a choice, the values it may take."""

    label: Any
    kind: str
    ops: tuple[str, ...]
    column: Any = None
    choices: tuple[str, ...] = ()
    #: the ``core.api.CustomerFact`` a ``fact.<key>`` field asks
    fact: Any = None


FIELDS: dict[str, Field] = {
    "name": Field(_l("Name"), "text", TEXT_OPS[:3], Customer.name),
    "kind": Field(_l("Kind"), "choice", CHOICE_OPS[:2], Customer.kind, tuple(CustomerKind)),
    "stage": Field(_l("Stage"), "choice", CHOICE_OPS[:2], Customer.stage, tuple(Stage)),
    "grade": Field(_l("Grade"), "choice", CHOICE_OPS, Customer.grade, tuple(Grade)),
    "industry": Field(_l("Industry"), "text", TEXT_OPS, Customer.industry),
    "source": Field(_l("Source"), "text", TEXT_OPS, Customer.source),
    "region": Field(_l("Region"), "text", TEXT_OPS, Customer.region),
    "city": Field(_l("City"), "text", TEXT_OPS, Customer.city),
    "owner_id": Field(_l("Owner"), "id", ID_OPS, Customer.owner_id),
    "team_id": Field(_l("Team (and its sub-teams)"), "id", ID_OPS, Customer.team_id),
    "tag": Field(_l("Tag"), "tag", TAG_OPS),
    "created_at": Field(_l("Created"), "recency", RECENCY_OPS[:2], Customer.created_at),
    "last_contacted_at": Field(
        _l("Last contacted"), "recency", RECENCY_OPS, Customer.last_contacted_at
    ),
    "activities": Field(_l("Activities"), "count", COUNT_OPS),
    "segment": Field(_l("Member of segment"), "segment", ("is",)),
}

OP_LABELS = {
    "equals": _l("is exactly"),
    "contains": _l("contains"),
    "starts_with": _l("starts with"),
    "empty": _l("is empty"),
    "is": _l("is"),
    "in": _l("is one of"),
    "at_least": _l("at least"),
    "at_most": _l("at most"),
    "within_days": _l("within the last N days"),
    "older_than_days": _l("more than N days ago"),
    "has": _l("has"),
}

MAX_DAYS = 36500
MAX_VALUES = 50


def field_for(name: str) -> Field | None:
    """The field ``name`` names: one of :data:`FIELDS`, or a defined custom
    field as ``custom.<key>`` (text, choice or number); None when unknown."""
    if name in FIELDS:
        return FIELDS[name]
    fact = fact_of(name)
    if fact is not None:
        kind = FACT_FIELD_KINDS[fact.kind]
        choices = tuple(str(value) for value, _label in fact.choices)
        return Field(fact.label, kind, FACT_OPS[kind], choices=choices, fact=fact)
    if not name.startswith("custom."):
        return None
    key = name.removeprefix("custom.")
    definition = custom_field_definitions("customer").get(key)
    if definition is None:
        return None
    value = Customer.custom_fields[key]
    if definition.type in ("number", "money"):
        return Field(definition.label, "number", NUMBER_OPS, value)
    if definition.type == "choice":
        return Field(definition.label, "choice", CHOICE_OPS, value, tuple(definition.options))
    if definition.type in ("text", "date"):
        return Field(definition.label, "text", TEXT_OPS, value)
    return None  # a multi-choice or yes/no custom field is not a segment condition yet


def check(condition: dict) -> dict[str, list[str]]:
    """What is wrong with ``condition``, per key (empty: nothing)."""
    name = condition.get("field")
    field = field_for(name) if isinstance(name, str) else None
    if field is None:
        return {"field": [_("Unknown field.")]}
    op = condition.get("op")
    if op not in field.ops:
        return {"op": [_("This operator does not apply to the field.")]}
    value = condition.get("value")
    if op in NO_VALUE:
        return {}
    problem = _value_problem(field, op, value)
    if problem:
        return {"value": [problem]}
    if field.kind == "count":
        days = condition.get("days")
        if days is not None and (_whole(days) is None or not 1 <= days <= MAX_DAYS):
            return {"days": [_("Give a number of days from 1 to %(max)s.", max=MAX_DAYS)]}
    return {}


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _value_problem(field: Field, op: str, value: Any) -> str | None:
    if field.kind == "text" or field.kind == "tag":
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            return _("Give a text of 1 to 200 characters.")
        return None
    if field.kind == "segment":
        if _whole(value) is None or not _live_segment(value):
            return _("Unknown segment.")
        return None
    if field.kind in ("choice", "id"):
        values = value if op == "in" else [value]
        if op == "in" and (not isinstance(value, list) or not 1 <= len(value) <= MAX_VALUES):
            return _("Give a list of 1 to %(max)s values.", max=MAX_VALUES)
        if field.kind == "id":
            if not all(_whole(v) is not None and 1 <= v < 2**31 for v in values):
                return _("Give record ids (whole numbers).")
            return None
        allowed = [str(c.value if hasattr(c, "value") else c) for c in field.choices]
        if not all(isinstance(v, str) and v in allowed for v in values):
            return _("Must be one of: %(choices)s.", choices=", ".join(allowed))
        return None
    if field.kind == "recency":
        if _whole(value) is None or not 0 <= value <= MAX_DAYS:
            return _("Give a number of days from 0 to %(max)s.", max=MAX_DAYS)
        return None
    if _whole(value) is None and not (field.kind == "number" and isinstance(value, float)):
        return _("Give a number.")
    if field.kind == "count" and not 0 <= value <= 100000:
        return _("Give a number from 0 to 100000.")
    return None


def _live_segment(segment_id: int) -> bool:
    segment = db.session.get(Segment, segment_id) if 0 < segment_id < 2**31 else None
    return segment is not None and segment.deleted_at is None


def compile_conditions(
    match: str, conditions: list[dict], seen: frozenset[int] = frozenset()
) -> ColumnElement[bool]:
    """One SQL condition over ``Customer`` for checked ``conditions``:
    all of them (``match="all"``) or any. No condition matches everyone for
    ``all`` and no one for ``any`` — as ``and``/``or`` of nothing are.
    ``seen``: the segments being compiled around these conditions."""
    parts = [_negated(c, seen) for c in conditions]
    if match == "any":
        return or_(false(), *parts)
    return and_(true(), *parts)


def _negated(condition: dict, seen: frozenset[int]) -> ColumnElement[bool]:
    sql = _one(condition, seen)
    if condition.get("negate"):
        # "not X" holds where X does not, a missing value included
        return not_(func.coalesce(sql, false()))
    return sql


def _one(condition: dict, seen: frozenset[int]) -> ColumnElement[bool]:
    field = field_for(condition["field"])
    if field is None:  # a plugin's fact gone with its plugin: nobody matches it
        return false()
    op, value = condition["op"], condition.get("value")
    if field.fact is not None:
        return fact_condition(field.fact, op, value)
    if field.kind == "segment":
        return segment_condition(value, _compile_segment, seen)
    return _BUILDERS[field.kind](field, op, value, condition)


def _compile_segment(segment: Segment, seen: frozenset[int]) -> ColumnElement[bool]:
    return compile_conditions(segment.match, segment.conditions or [], seen)


def _text(field: Field, op: str, value: Any, _condition: dict) -> ColumnElement[bool]:
    column = field.column
    if field.column is not None and hasattr(column, "as_string"):
        column = column.as_string()
    if op == "empty":
        return or_(column.is_(None), column == "")
    lowered = func.lower(column)
    needle = value.strip().lower()
    if op == "equals":
        return lowered == needle
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"{escaped}%" if op == "starts_with" else f"%{escaped}%"
    return lowered.like(pattern, escape="\\")


def _choice(field: Field, op: str, value: Any, _condition: dict) -> ColumnElement[bool]:
    column = field.column
    custom = hasattr(column, "as_string")
    if custom:
        column = column.as_string()
    if op == "empty":
        return column.is_(None)
    values = value if op == "in" else [value]
    if not custom:  # an enum column compares with its members
        by_value = {str(c.value): c for c in field.choices}
        values = [by_value[v] for v in values]
    return column.in_(values)


def _id(field: Field, op: str, value: Any, _condition: dict) -> ColumnElement[bool]:
    if op == "empty":
        return field.column.is_(None)
    values = value if op == "in" else [value]
    if field.column is Customer.team_id:
        values = sorted({team for v in values for team in team_subtree(v)})
    return field.column.in_(values)


def _number(field: Field, op: str, value: Any, _condition: dict) -> ColumnElement[bool]:
    column = field.column.as_float()
    if op == "empty":
        return field.column.as_string().is_(None)
    return column >= value if op == "at_least" else column <= value


def _recency(field: Field, op: str, value: Any, _condition: dict) -> ColumnElement[bool]:
    if op == "empty":
        return field.column.is_(None)
    since = utcnow() - timedelta(days=value)
    return field.column >= since if op == "within_days" else field.column < since


def _tag(_field: Field, _op: str, value: Any, _condition: dict) -> ColumnElement[bool]:
    """``customer.id IN (<the tag's customers>)``, one list a statement — not
    ``EXISTS`` per customer (``Customer.tags.any``): at 1,000,000 customers
    SQLite ran that for each of the 840,000 customers the other conditions
    left (an admin's count 23 s, a manager's 3 s; as ``IN`` it looks up the
    100,000 tagged ones: 0.4–0.7 s, a rep's 0.26 s becoming 0.4–0.6 s, as
    SQLite then starts from the tag, not the owner), and PostgreSQL, under
    ``any``, JIT-compiled the per-row plan (1.1 s of a count at 100,000;
    0.15 s as ``IN``). Measured by bench/marketing.py."""
    link = Customer.tags.property.secondary  # core's customer_tag table
    tagged = select(link.c.customer_id).join(Tag, Tag.id == link.c.tag_id)
    return Customer.id.in_(tagged.where(func.lower(Tag.name) == value.strip().lower()))


def _count(_field: Field, op: str, value: Any, condition: dict) -> ColumnElement[bool]:
    """Activities on the customer (in the last ``days``, when given):
    ``at least 0`` holds for everyone, ``at most 0`` for those with none."""
    done = select(func.count(Activity.id)).where(
        Activity.customer_id == Customer.id, Activity.deleted_at.is_(None)
    )
    if condition.get("days"):
        done = done.where(Activity.occurred_at >= utcnow() - timedelta(days=condition["days"]))
    counted = done.scalar_subquery()
    return counted >= value if op == "at_least" else counted <= value


_BUILDERS: dict[str, Callable[[Field, str, Any, dict], ColumnElement[bool]]] = {
    "text": _text,
    "choice": _choice,
    "id": _id,
    "number": _number,
    "recency": _recency,
    "tag": _tag,
    "count": _count,
}


def hidden_condition_fields(conditions: list[dict], user: User | None) -> list[str]:
    """The fields of ``conditions`` — and of the segments they include —
    that ``user`` may not ask about: one their role hides (core's
    ``hidden_fields``; a count of the customers matching a hidden value
    would tell it), or a fact whose permission they lack."""
    hidden = hidden_fields(user, "customer")
    named = forbidden_facts(conditions, user)
    for name in field_names(conditions):
        custom = name.startswith("custom.")
        plain = "custom_fields." + name.removeprefix("custom.") if custom else name
        if plain in hidden or (custom and "custom_fields" in hidden):
            named.append(name)
    return list(dict.fromkeys(named))
