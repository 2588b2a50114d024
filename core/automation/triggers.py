"""What may start a rule: a declared event, or a field of an event's record
changing to a value — and the record each event is about.

Events are listed from the registry as :mod:`core.webhooks` lists them for
subscriptions (:func:`~core.webhooks.declared_events`: core's and every
enabled plugin's). The record of an event is its first argument that names
a table: by its annotation (``customer: Customer``) or, for a plugin's
event, by the plugin's table of that name (``deal`` of ``sales`` is
``sales_deal``, ``order`` of ``service_dispatch`` its ``…_work_order``).
Its columns (and its custom fields) are the fields a condition or a
``field_changed`` trigger may name. An event whose arguments hold a
``changes`` dict (``customer_updated``) may be a ``field_changed`` trigger.

A ``date`` trigger names one of :func:`date_field_choices`: a date or
datetime column of the record, or one of its custom fields of type date
(``custom_fields.<key>``, labelled as the admin named it).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.exc import NoInspectionAvailable

from core.automation.records import Entity, models_by_table
from core.extensions import db
from core.models import CustomFieldDefinition
from core.registry import current_registry
from core.webhooks import declared_events

TRIGGER_KINDS = ("event", "field_changed", "schedule", "date")
#: the argument of an event that holds ``{field: (before, after)}``
CHANGES = "changes"
#: how a rule names a custom field of its record
CUSTOM = "custom_fields."
#: app.extensions: the declared events with their records, worked out once
_CACHE = "trellis_automation_events"


@dataclass(frozen=True)
class EventInfo:
    """A declared event with what a rule needs of it: the argument that
    holds its record (None: the event is about no record) and whether it
    carries ``changes``."""

    name: str
    arguments: tuple[str, ...]
    description: str
    declared_by: str
    record_argument: str | None
    entity: Entity | None

    @property
    def has_changes(self) -> bool:
        return CHANGES in self.arguments


def _record_type(
    caller: Any, argument: str, declared_by: str, tables: dict[str, Any]
) -> str | None:
    hints = caller.spec.function.__annotations__
    hint = hints.get(argument)
    if isinstance(hint, str):
        by_name = {cls.__name__: table for table, cls in tables.items()}
        if hint in by_name:
            return by_name[hint]
    if declared_by == "core":
        return argument if argument in tables else None
    owners = current_registry().table_owners
    mine = [t for t in tables if owners.get(t) == declared_by]
    for table in mine:
        if table == f"{declared_by}_{argument}":
            return table
    ending = [t for t in mine if t.endswith(f"_{argument}")]
    return ending[0] if len(ending) == 1 else None


def events() -> list[EventInfo]:
    """Every declared event with its record, by name (worked out once per app:
    what is declared changes only with the plugins, at start-up)."""
    cached = current_app.extensions.get(_CACHE)
    if cached is None:
        cached = current_app.extensions[_CACHE] = _events()
    return cached


def _events() -> list[EventInfo]:
    hook = current_registry().pm.hook
    tables = models_by_table()
    found = []
    for event in declared_events():
        caller = getattr(hook, f"trellis_{event.name}")
        record_argument, entity = None, None
        for argument in event.arguments:
            table = _record_type(caller, argument, event.declared_by, tables)
            if table is not None:
                record_argument, entity = argument, Entity(table, tables[table])
                break
        found.append(
            EventInfo(
                event.name,
                event.arguments,
                event.description,
                event.declared_by,
                record_argument,
                entity,
            )
        )
    return found


def event_info(name: str) -> EventInfo | None:
    return next((e for e in events() if e.name == name), None)


def plain(value: Any) -> Any:
    """A value as a rule compares it: an enum's value, anything else as it is."""
    return value.value if isinstance(value, enum.Enum) else value


def changed_to(trigger: dict[str, Any], kwargs: dict[str, Any]) -> bool:
    """Whether an emitted event's arguments fire ``trigger`` (a ``field_changed``
    trigger needs its field among ``changes``, going to its value if it names one)."""
    if trigger.get("kind") != "field_changed":
        return True
    changes = kwargs.get(CHANGES) or {}
    field = trigger.get("field")
    if field not in changes:
        return False
    if "value" not in trigger or trigger["value"] in (None, ""):
        return True
    after = changes[field][1] if isinstance(changes[field], (tuple, list)) else changes[field]
    return str(plain(after)) == str(trigger["value"])


def custom_date_fields(entity: Entity) -> dict[str, str]:
    """``custom_fields.<key>`` → label of each active custom field of type
    date on ``entity``'s records (none when it keeps no custom fields)."""
    if "custom_fields" not in entity.columns():
        return {}
    rows = db.session.execute(
        select(CustomFieldDefinition.key, CustomFieldDefinition.label)
        .where(
            CustomFieldDefinition.entity == entity.type,
            CustomFieldDefinition.type == "date",
            CustomFieldDefinition.active.is_(True),
        )
        .order_by(CustomFieldDefinition.position, CustomFieldDefinition.key)
    )
    return {f"{CUSTOM}{key}": label for key, label in rows}


def date_field_choices(entity: Entity) -> list[tuple[str, str]]:
    """(field, label) of each field a ``date`` trigger on ``entity`` may
    name: its date and datetime columns, then its date custom fields."""
    columns = [(name, name) for name in entity.date_fields()]
    custom = [(name, f"{label} ({name})") for name, label in custom_date_fields(entity).items()]
    return columns + custom


def record_of(info: EventInfo | None, kwargs: dict[str, Any]) -> Any:
    """The record an emitted event is about (None if it names none)."""
    if info is None or info.record_argument is None:
        return None
    value = kwargs.get(info.record_argument)
    try:
        sa_inspect(value)
    except NoInspectionAvailable:
        return None
    return value


__all__ = [
    "CHANGES",
    "CUSTOM",
    "EventInfo",
    "TRIGGER_KINDS",
    "changed_to",
    "custom_date_fields",
    "date_field_choices",
    "event_info",
    "events",
    "plain",
    "record_of",
]
