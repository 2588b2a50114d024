"""Web forms on top of the API's marshmallow schemas.

A form posts flat text; :func:`payload` turns it into what the schema (and so
the service) expects — empty text means "no value", list fields take one item
per line or comma, check boxes are present or not — so the web and the API
obey one definition of valid input and report the same per-field messages.

When a signed-out user posts a form (their session ended mid-edit), the input
is kept in the session, the user signs in again, and the form comes back
filled in: :func:`keep_input` / :func:`kept_input`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import flash, request, session
from flask_babel import get_timezone
from marshmallow import Schema, fields
from werkzeug.datastructures import MultiDict

from core import access
from core.i18n import _

SPLIT = re.compile(r"[\n,，;；]+")


def payload(
    schema: Schema, form: MultiDict[str, str] | None = None, only: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """The posted fields of ``schema`` as a payload for its ``load``.

    A field absent from the form is absent from the payload (so a partial
    update leaves it alone); ``version`` is passed through for the stale check.
    """
    form = request.form if form is None else form
    out: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if only is not None and name not in only:
            continue
        if isinstance(field, fields.Boolean):
            if f"{name}__present" in form or name in form:
                out[name] = name in form and form.get(name) not in ("", "0", "false", "off")
            continue
        if name not in form:
            continue
        if isinstance(field, fields.List):
            out[name] = [
                part.strip()
                for line in form.getlist(name)
                for part in SPLIT.split(line)
                if part.strip()
            ]
            continue
        if isinstance(field, fields.Dict):
            continue
        text = form.get(name, "").strip()
        if isinstance(field, fields.Integer):
            number = form_int(text)  # 0 is a number: "or" would keep the text
            out[name] = number if number is not None else (text or None)
        else:
            out[name] = text or None
    return out


def custom_fields(form, definitions) -> dict[str, Any]:
    """``cf.<key>`` inputs as the ``custom_fields`` dict (empty means no value);
    numbers are parsed here, anything else is left for the field type to judge."""
    values: dict[str, Any] = {}
    for d in definitions:
        name = f"cf.{d.key}"
        if d.type == "boolean":
            values[d.key] = name in form
        elif d.type == "multi_choice":
            values[d.key] = form.getlist(name)
        else:
            text = form.get(name, "").strip()
            values[d.key] = _number(text) if d.type == "number" and text else text or None
    return values


def _number(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def version(form: MultiDict[str, str] | None = None) -> int | None:
    """The record version the form was opened on (hidden ``version`` input)."""
    return form_int((request.form if form is None else form).get("version", ""))


def local_datetime(text: str | None) -> str | None:
    """A ``datetime-local`` input (the user's wall clock) as ISO 8601 with the
    offset of the user's time zone; what is not a date and time is left for
    the schema to name."""
    if not text:
        return None
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        return text
    return text if naive.tzinfo else get_timezone().localize(naive).isoformat()


def form_int(text: str) -> int | None:
    """A whole number typed in a form (ASCII digits, below 2**31), else None:
    "²".isdigit() is true in Python, int("²") is not."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) < 2**31:
        return int(text)
    return None


def keep_input() -> None:
    """Remember a signed-out user's post until they sign in again."""
    data = {k: request.form.getlist(k) for k in request.form if k != "csrf_token"}
    session["kept_input"] = {"path": request.path, "form": data}


def kept_input(path: str) -> dict[str, list[str]] | None:
    """The input kept for ``path`` (once), or ``None``."""
    kept = session.get("kept_input")
    if kept and kept.get("path") == path:
        session.pop("kept_input")
        return kept["form"]
    return None


def kept_form(path: str) -> MultiDict | None:
    """The input kept for ``path`` as a form to load again (once), telling
    the user it is back; ``None`` when nothing was kept."""
    kept = kept_input(path)
    if kept is None:
        return None
    flash(_("What you typed before your session ended is back; check it and save."), "info")
    return MultiDict([(k, v) for k, vs in kept.items() for v in vs])


def without(values: dict, masked: set[str]) -> dict:
    """``values`` without the fields the user's role hides (``masked``): those
    are never shown in a form, and never written from one."""
    return access.without(values, masked)


def list_sort(sortable: dict[str, Any], default: tuple, tiebreak: Any) -> tuple[str, tuple]:
    """A list page's order from ``?sort=``: a key of ``sortable`` (column by
    key), ``-key`` for descending. Returns the sort to show in the headings
    (``m.sort_th``) and the ORDER BY clauses, ``tiebreak`` last so that
    pages never overlap. An unknown key gives ``""`` and ``default``: a page
    ignores what the API (``ordered``) would refuse with a 422."""
    sort = request.args.get("sort", "")
    column = sortable.get(sort.lstrip("-"))
    if column is None:
        return "", default
    return sort, (column.desc() if sort.startswith("-") else column.asc(), tiebreak)


def list_page(last: int = 10_000) -> int:
    """The page a list shows, from ``?page=``: 1 when missing or not a
    number, at most ``last``."""
    return min(max(request.args.get("page", 1, type=int), 1), last)
