"""Lists the way every endpoint answers them: ``page``, ``per_page`` (max
200), ``sort`` (comma list, ``-`` for descending), ``q``; counted, sorted and
paginated in SQL; answered as ``{"items", "page", "per_page", "total"}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_smorest import abort
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import Select, func, select
from webargs.fields import DelimitedList

from core.extensions import db
from core.i18n import _

MAX_PER_PAGE = 200


class SortArgs(Schema):
    """``sort`` and ``q``: what a list and its export share."""

    sort = fields.String(load_default=None, validate=validate.Length(max=200))
    q = fields.String(load_default=None, validate=validate.Length(max=200))


class ListArgs(SortArgs):
    """A list endpoint's query arguments: ``sort`` and ``q``, plus ``page``
    (from 1) and ``per_page`` (50 by default, capped); what ``paginate`` reads."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class SortKeys(DelimitedList):
    """``sort`` as the OpenAPI document declares it: a comma list (``style:
    form``, ``explode: false``) of the list's keys, each ``-`` for descending;
    loaded back as the comma string ``ordered`` reads."""

    def __init__(self, sortable: Mapping[str, Any], **kwargs):
        self.keys = sorted(sortable)
        choices = [*self.keys, *(f"-{key}" for key in self.keys)]
        super().__init__(fields.String(validate=validate.OneOf(choices)), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return value if value is None or isinstance(value, str) else ",".join(value)

    def _deserialize(self, value, attr, data, **kwargs) -> str:  # type: ignore[override]
        for key in value.split(",") if isinstance(value, str) and value else []:
            if key.removeprefix("-") not in self.keys:
                raise ValidationError(unknown_key(key, self.keys))
        return ",".join(super()._deserialize(value, attr, data, **kwargs))


def unknown_key(key: str, keys) -> str:
    """The 422 message for a sort key the list does not have."""
    return _(
        "cannot sort by %(key)r; use one of: %(keys)s",
        key=key.removeprefix("-"),
        keys=", ".join(sorted(keys)),
    )


def sorted_by(args: type[Schema], sortable: Mapping[str, Any]) -> type[Schema]:
    """``args`` (a ``SortArgs``) whose ``sort`` accepts exactly the keys of
    ``sortable`` — the same mapping the endpoint gives ``paginate`` — and says
    so in the OpenAPI document: ``@bp.arguments(sorted_by(ListArgs, SORTABLE))``."""
    field = SortKeys(
        sortable, metadata={"description": "comma list of sort keys; ``-key`` sorts descending"}
    )
    return type(args.__name__, (args,), {"sort": field})


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """The response schema of a list of ``item_schema``."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        },
        name=name,
    )


def ordered(query: Select, sort: str | None, sortable: dict, default: str) -> Select:
    """``query`` sorted by ``sort`` (keys of ``sortable``; 422 naming the bad one).

    ``id`` is always the last sort key, so pages never overlap or skip rows.
    """
    order = []
    for key in (sort or default).split(","):
        name = key.strip().lstrip("-")
        if name not in sortable:
            abort(422, messages={"query": {"sort": [unknown_key(name, sortable)]}})
        column = sortable[name]
        order.append(column.desc() if key.strip().startswith("-") else column.asc())
    order.append(query.column_descriptions[0]["entity"].id.asc())
    return query.order_by(*order)


def paginate(query: Select, args: dict, sortable: dict, default: str) -> dict:
    """Apply ``sort``, count and page ``query`` in SQL."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(
        ordered(query, args.get("sort"), sortable, default)
        .limit(args["per_page"])
        .offset((args["page"] - 1) * args["per_page"])
    ).all()
    return {"items": rows, "page": args["page"], "per_page": args["per_page"], "total": total}
