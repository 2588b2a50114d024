"""The fields a condition may name, as the API and the condition builder
list them: core's customer fields and the customer custom fields that
segments can compare, the facts other plugins know of customers that the
user may ask, and another segment's membership — without the fields the
user's role hides."""

from __future__ import annotations

from core.api import User, custom_field_definitions, customer_facts

from .conditions import FIELDS, field_for, hidden_condition_fields


def field_list(user: User | None) -> list[dict]:
    """``[{"key", "label", "kind", "ops", "choices"}]`` for ``user``."""
    keys = list(FIELDS) + [f"custom.{key}" for key in custom_field_definitions("customer")]
    keys += [f"fact.{key}" for key in customer_facts(user)]
    hidden = set(hidden_condition_fields([{"field": k} for k in keys], user))
    listed = []
    for key in keys:
        field = field_for(key)
        if field is None or key in hidden:
            continue
        listed.append(
            {
                "key": key,
                "label": str(field.label),
                "kind": field.kind,
                "ops": list(field.ops),
                "choices": [str(getattr(c, "value", c)) for c in field.choices],
            }
        )
    return listed
