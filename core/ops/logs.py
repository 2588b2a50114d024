"""Request ids, and log lines as JSON objects.

Every request gets an id: the caller's ``X-Request-Id`` when it is a sane
token (a proxy or a client that already names its requests), else a new
one. It is echoed in the response's ``X-Request-Id``, travels with every
job queued during the request (:func:`core.jobs.enqueue`), and is set again
while the worker runs that job, so one id follows a piece of work from the
browser to the background.

With ``TRELLIS_LOG_FORMAT=json`` every log line — Trellis's, the libraries',
gunicorn's (see :mod:`core.ops.gunicorn_config`) — is one JSON object with
``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message`` and
``request_id``; anything a caller adds with ``extra=`` comes along, and an
exception's traceback is in ``exc_info``. The default, ``text``, leaves
logging as Flask and gunicorn set it up.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_app_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-Id"
#: what an incoming id may look like: a UUID, a trace id, a proxy's token — no spaces,
#: quotes or control characters that could forge a log line or a header
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,127}")
#: the key gunicorn gives a response header among its access log's values
_ACCESS_ATOM = "{x-request-id}o"


def current_request_id() -> str | None:
    """The id of the request (or of the job it queued) being handled, if any."""
    return g.get("request_id") if has_app_context() else None


def set_request_id(value: str | None) -> None:
    """Carry ``value`` for the rest of this app context (a job's run)."""
    g.request_id = value


def init_request_ids(app: Flask) -> None:
    """Give every request of ``app`` an id, before any other hook runs."""
    app.before_request_funcs.setdefault(None, []).insert(0, _take_request_id)
    app.after_request(_echo_request_id)


def _take_request_id() -> None:
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if SANE_ID.fullmatch(incoming) else uuid.uuid4().hex


def _echo_request_id(response: Response) -> Response:
    request_id = current_request_id()
    if request_id:
        response.headers[HEADER] = request_id
    return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record: the current request's or job's,
    or for gunicorn's access log the id the response carried."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or _access_request_id(record)
        return True


def _access_request_id(record: logging.LogRecord) -> str | None:
    if record.name != "gunicorn.access" or not isinstance(record.args, Mapping):
        return None
    value = record.args.get(_ACCESS_ATOM)
    return value if isinstance(value, str) and SANE_ID.fullmatch(value) else None


class JsonLogFormatter(JsonFormatter):
    """``{"time", "level", "logger", "message", "request_id", …}``."""

    def __init__(self) -> None:
        super().__init__(
            "{asctime}{levelname}{name}{message}{request_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class JsonHandler(logging.StreamHandler):
    """A handler writing JSON lines to stderr (or ``stream``), with request ids."""

    def __init__(self, stream: Any = None) -> None:
        super().__init__(stream if stream is not None else sys.stderr)
        self.setFormatter(JsonLogFormatter())
        self.addFilter(RequestIdFilter())


def configure_logging(log_format: str) -> None:
    """Make the process's log lines JSON (``json``) or leave them be (``text``).

    Idempotent: a process that builds several apps (tests) ends with one
    JSON handler, or none after a ``text`` app."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, JsonHandler)]
    if log_format != "json":
        for handler in ours:
            root.removeHandler(handler)
        return
    if not ours:
        root.addHandler(JsonHandler())
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    # Flask's own handler on the app's logger ("core") would print each line a second time
    logging.getLogger("core").removeHandler(default_handler)


def gunicorn_logconfig() -> dict[str, Any]:
    """gunicorn's ``logconfig_dict`` for JSON lines: its error and access logs
    go to the root logger's JSON handler (the access log is then on, a line
    per request with the id the response carried)."""
    through_root = {"level": "INFO", "handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": ["json"]},
        "loggers": {
            "gunicorn.error": {**through_root, "qualname": "gunicorn.error"},
            "gunicorn.access": {**through_root, "qualname": "gunicorn.access"},
        },
        "handlers": {"json": {"class": "core.ops.logs.JsonHandler"}},
        "formatters": {},
    }
