"""RFC 9457 problem details for every API error: no HTML page and no stack
trace ever reaches an API client."""

from __future__ import annotations

import logging

from flask import Flask, Response, json, request
from werkzeug.exceptions import BadRequest, Conflict, HTTPException, InternalServerError, NotFound

from core.errors import (
    ConflictError, NotFoundError, StaleVersionError, TrellisError, ValidationError,
)
from core.extensions import db
from core.i18n import _, translate_validation

log = logging.getLogger(__name__)
TYPE_BASE = "https://trellis-crm.org/problems/"


def problem(status: int, title: str, detail: str | None = None, kind: str | None = None,
            **extra) -> Response:
    body = {"type": TYPE_BASE + (kind or str(status)), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _flatten_webargs(messages) -> dict[str, list[str]]:
    """webargs reports ``{"query": {"page": [...]}}``; clients want ``{"page": [...]}``."""
    out: dict[str, list[str]] = {}
    for _location, fields in (messages or {}).items():
        for field, msgs in (fields.items() if isinstance(fields, dict) else [("_schema", fields)]):
            out[field] = [translate_validation(str(m))
                          for m in (msgs if isinstance(msgs, list) else [msgs])]
    return out


def _nul_field(value, path: str = "") -> str | None:
    """The path of the first string holding a NUL character, if any."""
    if isinstance(value, str):
        return (path or "_body") if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
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
            _nul_field(request.get_json(silent=True)) if request.is_json else None)
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
        if exc.code == 422 and getattr(exc, "data", {}).get("messages"):
            return problem(422, _("Invalid input"), kind="validation",
                           errors=_flatten_webargs(exc.data["messages"]))
        return problem(exc.code or 500, exc.name, exc.description if exc.code != 500 else None)

    def page(exc: HTTPException):
        """A service error raised under a web page: the site's error page
        (pages catch what they can show next to a field themselves)."""
        from core.web import error_page

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
        return problem(409, _("Changed by someone else"), str(exc), kind="stale-version",
                       current_version=exc.actual)

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
