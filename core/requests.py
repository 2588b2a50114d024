"""The request class every Trellis app uses.

``request.args.get("customer_id", type=int)`` is how pages read a number from
their query string; Python's ``int`` takes any number of digits, and a
20-digit id then overflows the database's integer (a 500 on SQLite, an error
on PostgreSQL). Here a whole number outside the databases' 32-bit range
reads as missing (the ``default``), as any other value that is not a number
does — for core's pages and every plugin's alike, without each remembering.
"""

from __future__ import annotations

from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

#: the integer columns' range (PostgreSQL ``integer``)
LIMIT = 2**31


def _bounded_int(text: str) -> int:
    value = int(text)
    if not -LIMIT < value < LIMIT:
        raise ValueError(text)
    return value


class Args(ImmutableMultiDict):
    """Query-string values; ``get(..., type=int)`` keeps to the 32-bit range."""

    # werkzeug types get() by overloads; this one keeps their behaviour, bounds int
    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]
        return super().get(key, default, _bounded_int if type is int else type)


class TrellisRequest(Request):
    parameter_storage_class = Args


def nul_field(value: Any, path: str = "") -> str | None:
    """The path (``tags.1``) of the first string in ``value`` holding a NUL
    character, if any: no text column stores one (PostgreSQL refuses it)."""
    if isinstance(value, str):
        return (path or "_body") if "\x00" in value else None
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list | tuple)
        else ()
    )
    for key, item in items:
        found = nul_field(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def refuse_nul() -> None:
    """Refuse a request that carries a NUL character (``%00``, ``\\u0000``)
    anywhere: a query-string or form value (every value of a repeated one), a
    JSON body, a path segment — a 422 naming the field (a 400 page in the
    browser) instead of a database error later."""
    from flask import request

    from core.errors import ValidationError
    from core.i18n import _

    fields = [*request.args.lists(), *request.form.lists()]  # every value of a repeated one
    field = (
        nul_field({k.replace("\x00", "\\0"): "".join([k, *v]) for k, v in fields})
        or nul_field(request.view_args or {})
        or ("path" if "\x00" in request.path else None)
        or (nul_field(request.get_json(silent=True)) if request.is_json else None)
    )
    if field is not None:
        raise ValidationError({field: [_("NUL characters are not allowed")]})
