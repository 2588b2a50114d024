"""The mapping step: which column of the file fills which field of the
target — suggested from the header names (English and Chinese: 名称, 客户名称,
手机, 电话, 邮箱, 公司 …), checked, saved under a name per target for the
next file, and applied to a row (a cell of a list field, ``"a; b"``, split).
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.errors import ValidationError
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.imports.importers import Importer
from core.models import ImportMapping, User
from core.services.base import audit, load, snapshot

#: what separates the values of a list field in one cell
LIST_SEPARATORS = re.compile(r"[;,，；、\n]+")


class MappingInput(Schema):
    """A mapping to save: its name and ``{column: field}``."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    mapping = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=200)),
        values=fields.String(validate=validate.Length(max=60)),
        required=True,
    )


def _plain(text: str) -> str:
    return re.sub(r"[\s_*:：()（）]+", "", text).lower()


def suggest(columns: list[str], importer: Importer) -> dict[str, str]:
    """``{column: field}`` for the columns whose header names a field: the
    field's name or label, or one of the importer's aliases; each field once."""
    known: dict[str, str] = {}
    for name, label in importer.fields.items():
        known.setdefault(_plain(name), name)
        known.setdefault(_plain(str(label)), name)
    for alias, name in importer.aliases.items():
        known.setdefault(_plain(alias), name)
    found: dict[str, str] = {}
    for column in columns:
        chosen = known.get(_plain(column))
        if chosen and chosen not in found.values():
            found[column] = chosen
    return found


def required_fields(importer: Importer) -> list[str]:
    """The fields a mapping must fill: those the target's schema requires."""
    schema_fields = importer.schema().fields
    return [
        name for name in importer.fields if name in schema_fields and schema_fields[name].required
    ]


def check_mapping(mapping: dict[str, str], columns: list[str] | None, importer: Importer) -> dict:
    """``mapping`` without its empty entries; a 422 naming ``mapping`` when a
    column is not in the file, a field is unknown, mapped twice or a required
    one is missing."""
    clean = {column: name for column, name in mapping.items() if name}
    problems: list[str] = []
    if columns is not None:
        missing = [c for c in clean if c not in columns]
        if missing:
            problems.append(_("no such column: %(names)s", names=", ".join(missing)))
    unknown = [name for name in clean.values() if name not in importer.fields]
    if unknown:
        problems.append(_("no such field: %(names)s", names=", ".join(unknown)))
    twice = sorted({n for n in clean.values() if list(clean.values()).count(n) > 1})
    if twice:
        problems.append(
            _("a field may be filled by one column only: %(names)s", names=", ".join(twice))
        )
    lacking = [name for name in required_fields(importer) if name not in clean.values()]
    if lacking:
        problems.append(_("map a column to: %(names)s", names=", ".join(lacking)))
    if problems:
        raise ValidationError({"mapping": problems})
    return clean


def row_values(
    cells: list[str | None], columns: list[str], mapping: dict[str, str], importer: Importer
) -> dict[str, Any]:
    """The row as the importer's input: ``{field: text}`` for its mapped,
    non-empty cells (a list field's cell split into its values). The text is
    taken as it is — a cell like ``=1+1`` is that text, never a formula run."""
    out: dict[str, Any] = {}
    for index, column in enumerate(columns):
        name = mapping.get(column)
        value = cells[index] if index < len(cells) else None
        if not name or value is None:
            continue
        if name in importer.list_fields:
            out[name] = [v.strip() for v in LIST_SEPARATORS.split(value) if v.strip()]
        else:
            out[name] = value
    return out


def saved_mappings(target: str) -> list[ImportMapping]:
    """The mappings saved for ``target``, by name."""
    return list(
        db.session.scalars(
            select(ImportMapping)
            .where(ImportMapping.target == target)
            .order_by(ImportMapping.name, ImportMapping.id)
        )
    )


def mapping_named(target: str, name: str) -> ImportMapping | None:
    return db.session.scalar(
        select(ImportMapping).where(ImportMapping.target == target, ImportMapping.name == name)
    )


def save_mapping(payload: dict[str, Any], importer: Importer, actor: User | None) -> ImportMapping:
    """Save ``payload["mapping"]`` for ``importer``'s target under
    ``payload["name"]``; a mapping of that name is replaced."""
    data = load(MappingInput(), payload)
    clean = check_mapping(data["mapping"], None, importer)
    with transaction():
        found = mapping_named(importer.name, data["name"].strip())
        before = snapshot(found) if found is not None else None
        if found is None:
            found = ImportMapping(
                target=importer.name,
                name=data["name"].strip(),
                created_by_id=actor.id if actor else None,
            )
            db.session.add(found)
        found.mapping = clean
        db.session.flush()
        audit(actor, found, "update" if before else "create", before, snapshot(found))
    return found
