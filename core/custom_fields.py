"""Custom-field values, checked against their definitions on every write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from core.declarations import FieldType
from core.errors import ValidationError
from core.events import read_once
from core.extensions import db
from core.i18n import _, _l
from core.models import CustomFieldDefinition


def _text(value, definition):
    if not isinstance(value, str):
        raise ValueError(_("expected text"))
    if len(value) > 2000:
        raise ValueError(_("longer than 2000 characters"))
    return value


def _number(value, definition):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(_("expected a number"))
    return value


def _money(value, definition):
    """Money is kept exact: a decimal string with at most 2 places, e.g. ``"1999.50"``."""
    if isinstance(value, (bool, float)):
        raise ValueError(_('expected an amount as a string such as "1999.50"'))
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(_('expected an amount such as "1999.50"')) from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise ValueError(_("expected an amount with at most 2 decimal places"))
    return str(amount)


def _date(value, definition):
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise ValueError(_("expected a date as YYYY-MM-DD")) from None


def _choice(value, definition):
    if value not in definition.options:
        raise ValueError(_("must be one of: %(options)s", options=", ".join(definition.options)))
    return value


def _multi_choice(value, definition):
    if not isinstance(value, list):
        raise ValueError(_("expected a list of choices"))
    for item in value:
        _choice(item, definition)
    return list(dict.fromkeys(value))


def _boolean(value, definition):
    if not isinstance(value, bool):
        raise ValueError(_("expected true or false"))
    return value


CORE_FIELD_TYPES = [
    FieldType("text", _l("Text"), _text),
    FieldType("number", _l("Number"), _number),
    FieldType("money", _l("Money"), _money),
    FieldType("date", _l("Date"), _date),
    FieldType("choice", _l("Choice"), _choice),
    FieldType("multi_choice", _l("Multiple choice"), _multi_choice),
    FieldType("boolean", _l("Yes/No"), _boolean),
]


def definitions_for(entity: str) -> dict[str, CustomFieldDefinition]:
    """The active custom-field definitions of ``entity`` ("customer",
    "contact" …), by key: what a record of it may hold besides its columns."""
    rows = read_once(  # an import checks thousands of rows in one transaction
        f"custom_fields:{entity}",
        lambda: list(
            db.session.scalars(
                select(CustomFieldDefinition).where(
                    CustomFieldDefinition.entity == entity, CustomFieldDefinition.active.is_(True)
                )
            )
        ),
        CustomFieldDefinition,
    )
    return {d.key: d for d in rows}


def clean_custom_fields(
    entity: str, values: dict[str, Any], field_types: dict[str, FieldType], *, partial: bool = False
) -> dict[str, Any]:
    """Validate ``values`` for ``entity``; return them cleaned.

    Unknown keys, wrong types and missing required fields are reported per
    field as ``custom_fields.<key>``. ``None`` clears a value.
    """
    definitions = definitions_for(entity)
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[f"custom_fields.{key}"] = [_("unknown custom field")]
            continue
        if value is None:
            clean[key] = None
            continue
        try:
            clean[key] = field_types[definition.type].validate(value, definition)
        except ValueError as exc:
            errors[f"custom_fields.{key}"] = [str(exc)]
    if not partial:
        for key, definition in definitions.items():
            if definition.required and clean.get(key) in (None, "", []):
                errors.setdefault(f"custom_fields.{key}", [_("this field is required")])
    if errors:
        raise ValidationError(errors)
    return clean
