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


class ListArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    sort = fields.String(load_default=None, validate=validate.Length(max=200))
    q = fields.String(load_default=None, validate=validate.Length(max=200))


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """The response schema of a list of ``item_schema``."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "total": fields.Integer(required=True),
    }, name=name)


def paginate(query: Select, args: dict, sortable: dict, default: str) -> dict:
    """Apply ``sort`` (keys of ``sortable``), count and page ``query`` in SQL.

    ``id`` is always the last sort key, so pages never overlap or skip rows.
    """
    order = []
    for key in (args.get("sort") or default).split(","):
        name = key.strip().lstrip("-")
        if name not in sortable:
            abort(422, messages={"query": {"sort": [
                _("cannot sort by %(key)r; use one of: %(keys)s", key=name,
                  keys=", ".join(sorted(sortable)))]}})
        column = sortable[name]
        order.append(column.desc() if key.strip().startswith("-") else column.asc())
    order.append(query.column_descriptions[0]["entity"].id.asc())
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.order_by(*order).limit(args["per_page"])
                              .offset((args["page"] - 1) * args["per_page"])).all()
    return {"items": rows, "page": args["page"], "per_page": args["per_page"], "total": total}
