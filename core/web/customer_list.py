"""The customers list's parts besides its route: the filters read from the
query string (core's and the plugins' ``filter=<key>:<value>``), the
options the filter form offers, and the plugins' columns."""

from __future__ import annotations

from typing import Any, cast

import marshmallow
from flask import request
from flask_login import current_user
from sqlalchemy import select

from core import access
from core.declarations import CustomerColumn
from core.extensions import db
from core.models import Customer, Tag, Team, User
from core.registry import current_registry, sorted_items
from core.rest.customers import CustomerFilters

FILTERS = ("q", "owner_id", "team_id", "stage", "grade", "tag", "source", "filter")


def list_args() -> tuple[dict, dict]:
    """The list's filters from the query string, and per-filter errors."""
    raw: dict[str, Any] = {k: v for k in FILTERS if (v := request.args.get(k, "").strip())}
    if "filter" in raw:  # the page picks one plugin filter; the API may take several
        raw["filter"] = [raw["filter"]]
    schema = CustomerFilters()
    try:
        args = schema.load({k: v for k, v in raw.items() if k != "q"})
        errors: dict[str, Any] = {}
    except marshmallow.ValidationError as exc:
        errors = cast(dict[str, Any], exc.messages)  # a schema's errors: field -> messages
        args = schema.load({k: v for k, v in raw.items() if k != "q" and k not in errors})
        if isinstance(errors.get("filter"), dict):  # messages per list item: one list
            errors["filter"] = [m for ms in errors["filter"].values() for m in ms]
    args["q"] = raw.get("q", "")[:200]
    for key in access.hidden_filters(current_user, "customer", args):
        args.pop(key)  # the page offers no filter by a hidden field; a crafted URL gets none
    return args, errors


def choices() -> dict:
    """Options of the list's filters and bulk actions."""
    return {
        "owners": db.session.execute(
            select(User.id, User.name)
            .where(User.active.is_(True), User.deleted_at.is_(None))
            .order_by(User.name)
        ).all(),
        "teams": db.session.execute(select(Team.id, Team.name).order_by(Team.name)).all(),
        "tags": db.session.scalars(select(Tag.name).order_by(Tag.name)).all(),
        "filter_groups": filter_groups(),
    }


def filter_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The plugins' filters (``trellis_customer_filters``) as option groups
    of one choice: ``(label, [("<key>:<value>", label), …])``, the groups
    with nothing to offer the user left out."""
    declared = sorted(current_registry().customer_filters.values(), key=lambda f: f.order)
    groups = [
        (str(f.label), [(f"{f.key}:{value}", label) for value, label in f.options(current_user)])
        for f in declared
    ]
    return [(label, options) for label, options in groups if options]


def plugin_columns(rows: list[Customer]) -> list[tuple[CustomerColumn, dict[int, str]]]:
    """The plugins' columns of the list (``trellis_customer_columns``), each
    with its values for the customers on the page: one call per column."""
    ids = [c.id for c in rows]
    return [
        (column, column.values(ids) if ids else {})
        for column in sorted_items("trellis_customer_columns", user=current_user)
    ]
