"""How every error is answered: RFC 9457 problem details under ``/api/`` (no
HTML page and no stack trace ever reaches an API client) and, for the web
pages, the site's own error page in the user's language.

Both answers live here, below the JSON API and the web pages, so that each
of them can use either without importing the other."""

from __future__ import annotations

import logging

from flask import Flask, Response, json, render_template, request
from werkzeug.exceptions import (
    BadRequest,
    Conflict,
    Forbidden,
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    ServiceUnavailable,
)

from core.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    StaleVersionError,
    TakenError,
    TrellisError,
    UnavailableError,
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
    413: _l("The request is too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Not available on this server"),
}


def error_page(exc: HTTPException):
    """An HTTP error as a page of the site, in the user's language."""
    code = exc.code or 500
    if code in (301, 302, 303, 307, 308) or exc.response is not None:
        return exc
    detail = (
        exc.description
        if code in (400, 403, 409, 503)
        and exc.description
        and exc.description != type(exc).description  # Werkzeug's English boilerplate
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


def register(app: Flask) -> None:
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
        code = exc.code or 500
        # Werkzeug's own descriptions are English boilerplate: only ours (abort
        # with a translated description) reach the caller
        detail = None if exc.description == type(exc).description else exc.description
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            detail = _("Allowed here: %(methods)s", methods=", ".join(exc.valid_methods))
        answer = problem(code, ERROR_TITLES.get(code, exc.name), detail)
        for name, value in exc.get_headers():  # Allow (405), Retry-After (429) …
            if name.lower() != "content-type":
                answer.headers[name] = value
        return answer

    def page(exc: HTTPException):
        """A service error raised under a web page: the site's error page
        (pages catch what they can show next to a field themselves)."""
        return error_page(exc)

    @app.errorhandler(ValidationError)
    def validation_error(exc: ValidationError):
        db.session.rollback()
        if not is_api_request():
            return page(BadRequest(exc.summary))
        if isinstance(exc, TakenError):
            title, kind = _("Already in use"), "taken"
        elif exc.status == 409:
            title, kind = _("Not possible now"), "state"
        elif exc.status == 404:
            title, kind = _("Not found"), "missing-reference"
        else:
            title, kind = _("Invalid input"), "validation"
        detail = exc.summary if exc.status != 422 else None
        return problem(exc.status, title, detail, kind=kind, errors=exc.errors)

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

    @app.errorhandler(ForbiddenError)
    def forbidden(exc: ForbiddenError):
        db.session.rollback()
        if not is_api_request():
            return page(Forbidden(str(exc)))
        return problem(403, _("Forbidden"), str(exc), kind="forbidden")

    @app.errorhandler(NotFoundError)
    def not_found(exc: NotFoundError):
        if not is_api_request():
            return page(NotFound())
        return problem(404, _("Not found"), str(exc))

    @app.errorhandler(UnavailableError)
    def unavailable(exc: UnavailableError):
        db.session.rollback()
        if not is_api_request():
            return page(ServiceUnavailable(str(exc)))
        return problem(503, ERROR_TITLES[503], str(exc), kind="unavailable")

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
