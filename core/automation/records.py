"""The record types a rule works on: a table name and its mapped class,
the fields a condition, a trigger or an update may name.

Kept apart from :mod:`.triggers` (which reads the registry and
:mod:`core.webhooks`) so that the action interface (:mod:`.base`), which
the hookspecs name, imports nothing that imports the hookspecs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, DateTime, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper

from core.extensions import Model, db
from core.models import CustomFieldDefinition

#: columns no condition or update may name (secrets, look-up hashes)
HIDDEN_COLUMNS = frozenset({"password_hash", "secret", "token_hash", "version"})
#: date columns no date trigger may name
NOT_DATES = frozenset({"updated_at", "deleted_at"})


@dataclass(frozen=True)
class Entity:
    """A record type an event is about: its table name and mapped class."""

    type: str
    model: Any

    def columns(self) -> list[str]:
        """The fields a rule may name: the mapped columns, less secrets."""
        mapper: Mapper[Any] = sa_inspect(self.model)
        return [a.key for a in mapper.column_attrs if a.key not in HIDDEN_COLUMNS]

    def custom_fields(self) -> list[str]:
        """``custom_fields.<key>`` for each custom field defined on the record type."""
        if "custom_fields" not in self.columns():
            return []
        keys = db.session.scalars(
            select(CustomFieldDefinition.key)
            .where(CustomFieldDefinition.entity == self.type)
            .order_by(CustomFieldDefinition.position, CustomFieldDefinition.key)
        )
        return [f"custom_fields.{k}" for k in keys]

    def fields(self) -> list[str]:
        return self.columns() + self.custom_fields()

    def date_fields(self) -> list[str]:
        """The date and datetime columns a date trigger may name (a
        customer's birthday, a contract's end, a policy's expiry) — less
        the bookkeeping ``updated_at`` and ``deleted_at``."""
        mapper: Mapper[Any] = sa_inspect(self.model)
        found = []
        for attr in mapper.column_attrs:
            kind = attr.columns[0].type
            kind = getattr(kind, "impl", kind)  # a TypeDecorator (UTCDateTime)
            if isinstance(kind, (Date, DateTime)) and attr.key not in NOT_DATES:
                found.append(attr.key)
        return found

    def is_datetime(self, field: str) -> bool:
        """Whether ``field`` holds a moment (compared by the instance's day), not a date."""
        kind = sa_inspect(self.model).column_attrs[field].columns[0].type
        return isinstance(getattr(kind, "impl", kind), DateTime)


def models_by_table() -> dict[str, Any]:
    """Every mapped class by its table's name."""
    found = {}
    for mapper in Model.registry.mappers:
        name = getattr(mapper.local_table, "name", None)
        if name:
            found[name] = mapper.class_
    return found


def entity_of(record_type: str) -> Entity | None:
    model = models_by_table().get(record_type)
    return Entity(record_type, model) if model is not None else None
