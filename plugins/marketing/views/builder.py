"""The condition builder of the segment form: the rows it draws (a field,
an operator and a value control that fit the field) and the conditions it
reads back from the posted form — a field picked in a row redraws that row
(htmx), so the operators and the value always fit the field."""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import select

from core.api import Team, User, current_user, db, translator

from ..models import Segment
from ..services.conditions import NO_VALUE, OP_LABELS, field_for
from ..services.fields import field_list
from ..services.segments import visible_segments

_, _l = translator("marketing")

#: rows a new form offers, and rows "More conditions" adds
BLANK_ROWS = 3
MAX_ROWS = 20


def kind_labels() -> dict[str, str]:
    return {"company": _("Company"), "person": _("Person")}


def value_choices(key: str) -> list[tuple[str, str]]:
    """The values a choice or id field offers, labelled (a stage's label
    is core's, which the template has: ``stages``)."""
    field = field_for(key)
    if field is None:
        return []
    if key == "owner_id":
        users = select(User).where(User.active.is_(True), User.deleted_at.is_(None))
        return [(str(u.id), u.name) for u in db.session.scalars(users.order_by(User.name))]
    if key == "team_id":
        return [(str(t.id), t.name) for t in db.session.scalars(select(Team).order_by(Team.name))]
    if key == "segment":
        shown = visible_segments(current_user).order_by(Segment.name)
        return [(str(s.id), s.name) for s in db.session.scalars(shown)]
    if field.fact is not None:
        return [(str(value), str(label)) for value, label in field.fact.choices]
    values = [str(getattr(c, "value", c)) for c in field.choices]
    labels = kind_labels()
    return [(v, labels.get(v, v)) for v in values]


def row(n: int, condition: dict | None) -> dict[str, Any]:
    """What the template needs to draw row ``n`` for ``condition``."""
    condition = condition or {}
    key = condition.get("field") or ""
    field = field_for(key) if key else None
    ops = [(op, str(OP_LABELS[op])) for op in field.ops] if field else []
    value = condition.get("value")
    return {
        "n": n,
        "field": key,
        "kind": field.kind if field else "",
        "ops": ops,
        "op": condition.get("op") or (ops[0][0] if ops else ""),
        "value": value,
        "values": [str(v) for v in value] if isinstance(value, list) else [str(value or "")],
        "days": condition.get("days") or "",
        "negate": bool(condition.get("negate")),
        "choices": value_choices(key)
        if field and field.choices or key in ("owner_id", "team_id", "segment")
        else [],
    }


def rows(conditions: list[dict], extra: int = BLANK_ROWS) -> list[dict]:
    count = min(len(conditions) + extra, MAX_ROWS)
    padded = list(conditions) + [{}] * (count - len(conditions))
    return [row(n, c) for n, c in enumerate(padded)]


def fields_offered(user) -> list[tuple[str, str]]:
    return [(f["key"], f["label"]) for f in field_list(user)]


def posted_conditions(form=None) -> list[dict]:
    """The conditions of the posted rows; a row with no field is left out.
    Values are typed for their field (a number for a count or days, ids
    for an owner or team, a list for "is one of") so that the service's
    checks answer the same as for the API."""
    form = form if form is not None else request.form
    conditions = []
    for n in range(MAX_ROWS):
        key = form.get(f"field-{n}", "").strip()
        if not key:
            continue
        op = form.get(f"op-{n}", "")
        field = field_for(key)
        raw = [v.strip() for v in form.getlist(f"value-{n}") if v.strip()]
        conditions.append(
            {
                "field": key,
                "op": op,
                "value": None if op in NO_VALUE else _typed(field.kind if field else "", op, raw),
                "days": _number(form.get(f"days-{n}", "")),
                "negate": form.get(f"negate-{n}") == "1",
            }
        )
    return conditions


def _typed(kind: str, op: str, raw: list[str]) -> Any:
    if kind in ("id", "segment"):
        values = [_number(v) for v in raw]
        return values if op == "in" else (values[0] if values else None)
    if op == "in":
        return raw
    text = raw[0] if raw else ""
    if kind in ("count", "recency", "number"):
        return _number(text)
    return text


def _number(text: str) -> Any:
    """A whole number (or a decimal for a number field) as typed; the text
    itself when it is none, so the check names it."""
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text
