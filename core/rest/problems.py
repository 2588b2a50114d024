"""How every error is answered: RFC 9457 problem details under ``/api/`` (no
HTML page and no stack trace ever reaches an API client) and, for the web
pages, the site's own error page in the user's language.

Both answers live here, below the JSON API and the web pages, so that each
of them can use either without importing the other."""

from __future__ import annotations

import logging

from flask import Flask, Response, json, render_template, request
from werkzeug.exceptions import BadRequest, Conflict, HTTPException, InternalServerError, NotFound

from core.errors import (
    ConflictError,
    NotFoundError,
    StaleVersionError,
    TrellisError,
    ValidationError,
)
from core.extensions import db
from core.i18n import _, _l, translate_validation

log = logging.getLogger(__name__)
TYPE_BASE = "https://trellis-crm.org/problems/"


def problem(
    status: int, title: str, detail: str | None = None, kind: str | None = None, **extra
) -> Response:
    body = {"type": TYPE_BASE + (kind or str(status)), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def is_api_request() -> bool:
    return request.path.startswith("/api/")


ERROR_TITLES = {
    400: _l("The request was not understood"),
    403: _l("You may not do this"),
    404: _l("Not found"),
    405: _l("Not allowed"),
    409: _l("Changed by someone else"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}


def error_page(exc: HTTPException):
    """An HTTP error as a page of the site, in the user's language."""
    code = exc.code or 500
    if code in (301, 302, 303, 307, 308) or exc.response is not None:
        return exc
    detail = (
        exc.description
        if code in (400, 403, 409)
        and exc.description
        and not exc.description.startswith(("The browser", "You don't have"))
        else ""
    )
    try:
        return render_template(
            "core/error.html", code=code, detail=detail, title=ERROR_TITLES.get(code, exc.name)
        ), code
    except Exception:  # noqa: BLE001  (the page frame itself failed: answer plainly)
        return exc


def _flatten_webargs(messages) -> dict[str, list[str]]:
    """webargs reports ``{"query": {"page": [...]}}``; clients want ``{"page": [...]}``."""
    out: dict[str, list[str]] = {}
    for fields in (messages or {}).values():  # one entry per location
        for field, msgs in fields.items() if isinstance(fields, dict) else [("_schema", fields)]:
            out[field] = [
                translate_validation(str(m)) for m in (msgs if isinstance(msgs, list) else [msgs])
            ]
    return out


def _nul_field(value, path: str = "") -> str | None:
    """The path of the first string holding a NUL character, if any."""
    if isinstance(value, str):
        return (path or "_body") if "\x00" in value else None
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        found = _nul_field(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        """No text field can hold NUL on PostgreSQL; refuse it at the door
        with the field's name rather than fail in the database."""
        field = _nul_field({**request.args, **request.form}) or (
            _nul_field(request.get_json(silent=True)) if request.is_json else None
        )
        if field is None:
            return None
        message = _("NUL characters are not allowed")
        if is_api_request():
            return problem(422, _("Invalid input"), kind="validation", errors={field: [message]})
        return message, 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if not is_api_request():
            return page(exc)
        data = getattr(exc, "data", {})  # webargs' 422 carries its messages here
        if exc.code == 422 and data.get("messages"):
            return problem(
                422,
                _("Invalid input"),
                kind="validation",
                errors=_flatten_webargs(data["messages"]),
            )
        return problem(exc.code or 500, exc.name, exc.description if exc.code != 500 else None)

    def page(exc: HTTPException):
        """A service error raised under a web page: the site's error page
        (pages catch what they can show next to a field themselves)."""
        return error_page(exc)

    @app.errorhandler(ValidationError)
    def validation_error(exc: ValidationError):
        db.session.rollback()
        if not is_api_request():
            return page(BadRequest(exc.summary))
        return problem(422, _("Invalid input"), kind="validation", errors=exc.errors)

    @app.errorhandler(StaleVersionError)
    def stale(exc: StaleVersionError):
        db.session.rollback()
        if not is_api_request():
            return page(Conflict(str(exc)))
        return problem(
            409,
            _("Changed by someone else"),
            str(exc),
            kind="stale-version",
            current_version=exc.actual,
        )

    @app.errorhandler(ConflictError)
    def conflict(exc: ConflictError):
        db.session.rollback()
        if not is_api_request():
            return page(Conflict(str(exc)))
        return problem(409, exc.title or _("Conflict"), str(exc), kind=exc.kind, **exc.details)

    @app.errorhandler(NotFoundError)
    def not_found(exc: NotFoundError):
        if not is_api_request():
            return page(NotFound())
        return problem(404, _("Not found"), str(exc))

    @app.errorhandler(TrellisError)
    def trellis_error(exc: TrellisError):
        db.session.rollback()
        if not is_api_request():
            return page(BadRequest(str(exc)))
        return problem(400, _("Bad request"), str(exc))

    @app.errorhandler(Exception)
    def crash(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        if not is_api_request():
            return page(InternalServerError())
        return problem(500, _("Internal error"), _("The error was logged."))
