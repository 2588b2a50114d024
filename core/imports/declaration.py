"""The declaration of an import target (``trellis_importers``), apart from
what imports do with it, so that the hook's specification names it without
importing the services behind imports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema


@dataclass(frozen=True)
class Importer:
    """A target of imports (``trellis_importers``): ``name`` (unique, dotted
    for a plugin's: ``sales.lead``), ``label``, the ``schema`` its rows load
    through, ``fields`` (field → label, what a column may be mapped to),
    ``aliases`` (a header as people write it, in English or Chinese → field),
    ``list_fields`` (a cell holding several values: ``"a; b"``), and the
    functions the module's docstring describes. ``permission`` is what the
    importing user needs besides ``customer.import``."""

    name: str
    label: Any
    schema: type[Schema]
    model: type
    fields: dict[str, Any]
    validate: Callable[[dict[str, Any], Any], dict[str, Any]]
    find: Callable[[dict[str, Any], Any], Any]
    keys: Callable[[dict[str, Any]], list[str]]
    create: Callable[[dict[str, Any], Any], Any]
    update: Callable[[Any, dict[str, Any], Any], Any]
    delete: Callable[[Any, Any], None]
    visible: Callable[[Any, Any], bool]
    aliases: dict[str, str] = field(default_factory=dict)
    list_fields: tuple[str, ...] = ()
    permission: str | None = None
    order: int = 100
