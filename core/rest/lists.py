"""Lists the way every endpoint answers them: ``page``, ``per_page`` (max
200), ``sort`` (comma list, ``-`` for descending), ``q``; counted, sorted and
paginated in SQL; answered as ``{"items", "page", "per_page", "total"}``."""

from __future__ import annotations

from flask_smorest import abort
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

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
            abort(
                422,
                messages={
                    "query": {
                        "sort": [
                            _(
                                "cannot sort by %(key)r; use one of: %(keys)s",
                                key=name,
                                keys=", ".join(sorted(sortable)),
                            )
                        ]
                    }
                },
            )
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
