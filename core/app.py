"""The application factory: settings → plugins → extensions → blueprints.

Everything that can be wrong is checked before the app is returned, so a
Trellis that starts is a Trellis that is whole.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, cast

import marshmallow
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from core import config as cfg
from core import models  # noqa: F401  (registers core's tables)
from core.approvals.reminders import APPROVAL_RULES
from core.automation import AUTOMATION_JOBS
from core.custom_fields import CORE_FIELD_TYPES
from core.declarations import ActivityKind, Permission, RoleTemplate
from core.errors import PluginError
from core.extensions import babel, db, login_manager, migrate
from core.followups import CORE_RULES
from core.i18n import (
    CORE_TRANSLATIONS,
    _l,
    select_locale,
    select_timezone,
    template_gettext,
    template_ngettext,
    unread_catalogues,
)
from core.imports import CORE_IMPORTERS, IMPORT_JOBS
from core.jobs import CORE_JOBS, QUEUE_FILE, check_job, init_jobs
from core.messaging import MESSAGE_JOBS
from core.models import CORE_ACTIVITY_KINDS, CORE_TABLES
from core.ops.logs import configure_logging, init_request_ids
from core.ops.metrics import init_metrics
from core.ops.models import OPS_TABLES
from core.ops.retention import RETENTION_JOBS
from core.pii import init_pii
from core.plugins import load_plugins, make_plugin_manager
from core.registry import Registry, register_declarations
from core.requests import TrellisRequest, refuse_nul
from core.schemas import MAX_ID
from core.search import check_searchable, core_searchables
from core.themes import ThemedEnvironment, init_themes
from core.webhooks import WEBHOOK_JOBS

CORE_DIR = Path(__file__).parent
CORE_PERMISSIONS = [
    Permission("customer.read", _l("View customers")),
    Permission("customer.write", _l("Create and edit customers")),
    Permission("customer.delete", _l("Delete customers")),
    Permission("customer.purge", _l("Purge customers from the recycle bin")),
    Permission("audit.read", _l("Read the audit log")),
    Permission("customer.export", _l("Export customers")),
    Permission("customer.merge", _l("Merge duplicate customers")),
    Permission("customer.transfer", _l("Transfer customers")),
    Permission("customer.import", _l("Import customers and contacts, and undo an import")),
    Permission("pool.claim", _l("Claim from the customer pool")),
    Permission("admin.users", _l("Manage users, teams and roles")),
    Permission("admin.settings", _l("Manage settings")),
    Permission("admin.approvals", _l("Manage approval flows and see every approval")),
    Permission("admin.webhooks", _l("Manage webhooks and see their deliveries")),
    Permission("admin.automation", _l("Manage automation rules and see their runs")),
]
#: the roles a new instance starts with; admins may edit or add more
CORE_ROLES = [
    RoleTemplate("admin", _l("Administrator"), "all", ("*",)),
    RoleTemplate(
        "manager",
        _l("Sales manager"),
        "team",
        (
            "customer.read",
            "customer.write",
            "customer.export",
            "customer.transfer",
            "customer.merge",
            "customer.import",
            "pool.claim",
        ),
    ),
    RoleTemplate(
        "sales", _l("Sales rep"), "own", ("customer.read", "customer.write", "pool.claim")
    ),
]
_KIND_LABELS = {
    "call": _l("Call"),
    "email": _l("E-mail"),
    "meeting": _l("Meeting"),
    "visit": _l("Visit"),
    "sms": _l("SMS"),
    "wechat": _l("WeChat"),
    "note": _l("Note"),
    "task": _l("Follow-up"),
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build a Trellis app. ``config`` overrides settings (tests, embedding).

    Raises :class:`~core.errors.ConfigError` or :class:`~core.errors.PluginError`
    with a one-line message when a setting or a plugin is wrong.
    """
    config = dict(config or {})
    extra_plugins = config.pop("TRELLIS_EXTRA_PLUGINS", [])
    settings = cfg.load_settings(config)
    configure_logging(settings["TRELLIS_LOG_FORMAT"])

    enabled, disabled = load_plugins(settings["TRELLIS_PLUGINS"], extra_plugins)
    pm = make_plugin_manager(enabled)
    reg = Registry(pm=pm, plugins=enabled, disabled=disabled)
    register_declarations(
        reg,
        {
            "permissions": CORE_PERMISSIONS,
            "roles": CORE_ROLES,
            "activity_kinds": [ActivityKind(k, _KIND_LABELS[k]) for k in CORE_ACTIVITY_KINDS],
            "field_types": CORE_FIELD_TYPES,
            "followup_rules": [*CORE_RULES, *APPROVAL_RULES],
            "jobs": [
                *(*CORE_JOBS, *MESSAGE_JOBS, *WEBHOOK_JOBS, *IMPORT_JOBS, *AUTOMATION_JOBS),
                *RETENTION_JOBS,
            ],
            "searchables": core_searchables(),
            "importers": CORE_IMPORTERS,
        },
    )
    for job in reg.jobs.values():
        check_job(job)
    for searchable in reg.searchables.values():
        check_searchable(searchable)
        if searchable.model in reg.searchable_models:
            raise PluginError(
                f"searchable {searchable.kind!r}: {searchable.model.__name__} is indexed already"
            )
        reg.searchable_models[searchable.model] = searchable
    _register_models(reg)

    app = Flask(
        "core", instance_path=settings["TRELLIS_INSTANCE_PATH"], instance_relative_config=True
    )
    init_request_ids(app)  # first: every later hook and log line has the request's id
    app.jinja_environment = ThemedEnvironment
    app.request_class = TrellisRequest
    app.before_request(refuse_nul)
    app.url_map.converters["int"] = BoundedInt
    app.config.update(settings)
    app.config.update(
        SECRET_KEY=cfg.secret_key(settings, create=not settings.get("TESTING")),
        SQLALCHEMY_DATABASE_URI=cfg.database_url(settings),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        BABEL_DEFAULT_LOCALE=settings["TRELLIS_LOCALE"],
        BABEL_DEFAULT_TIMEZONE=settings["TRELLIS_TIMEZONE"],
        BABEL_TRANSLATION_DIRECTORIES=str(CORE_TRANSLATIONS),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["TRELLIS_ENV"] == "production",
        # a request body larger than this is refused (413) before it is read:
        # room for ten 10 MB photos and the form around them, no more
        MAX_CONTENT_LENGTH=110 * 1024 * 1024,
    )
    if settings["TRELLIS_PROXIES"]:
        # behind nginx or a load balancer: the client's address (rate limits),
        # scheme and host come from the proxies' headers
        hops = settings["TRELLIS_PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's way to add middleware
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    app.extensions["trellis"] = reg
    app.extensions["trellis_translation_dirs"] = reg.folders("trellis_translations_dir")
    for warning in unread_catalogues(app.extensions["trellis_translation_dirs"]):
        logging.getLogger("core").warning(warning)
    reg.plugin_settings = _load_plugin_settings(reg, settings["TRELLIS_PLUGIN_SETTINGS"])

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
        _private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if settings["TRELLIS_JOBS"] == "queue" and not settings["TRELLIS_REDIS_URL"]:
        # the SQLite job queue holds the jobs' arguments: owner-only as well
        Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
        _private_file(Path(app.instance_path) / QUEUE_FILE)
    db.init_app(app)
    init_pii(app)
    init_metrics(app)
    migrate.init_app(app, db, directory=str(CORE_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.globals["_"] = template_gettext
    app.jinja_env.globals["ngettext"] = template_ngettext
    init_themes(app, list(reg.folders("trellis_templates_dir").values()), CORE_DIR / "templates")

    from core.web import BLUEPRINTS
    from core.web.health import register_metrics

    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    register_metrics(app)
    for blueprints in reg.call("trellis_blueprints"):
        for bp in blueprints or ():
            app.register_blueprint(bp)
    from core.rest import init_api
    from core.throttle import init_throttle

    init_jobs(app, reg.jobs)

    app.extensions["trellis_limiter"] = init_throttle(app)

    init_api(
        app,
        [
            (name, bp)
            for name, blueprints in reg.answers("trellis_api_blueprints")
            for bp in blueprints or ()
        ],
    )

    pm.hook.trellis_app_created(app=app)
    logging.getLogger("core").setLevel(logging.INFO)
    return app


class BoundedInt(IntegerConverter):
    """``<int:...>`` in every route stops at 2**31 - 1: a larger id cannot
    exist, so the URL does not match (404) instead of reaching the database.

    The pattern itself stops there: a number the pattern matched but ``max``
    refused would still count as the path of the route's other methods,
    and a larger id would answer 405 instead of 404."""

    regex = (
        r"0*(?:\d{1,9}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}"
        r"|21474[0-7]\d{4}|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])"
    )

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _register_models(reg: Registry) -> None:
    """Record which tables belong to core and to each plugin; check prefixes."""
    reg.table_owners.update({table: "core" for table in (*CORE_TABLES, *OPS_TABLES)})
    for name, classes in reg.answers("trellis_models"):
        for cls in classes or ():
            table = cls.__tablename__
            if not table.startswith(f"{name}_"):
                raise PluginError(
                    f"plugin {name!r}: table {table!r} must be named {name}_<something>"
                )
            reg.table_owners[table] = name
            for other in cls.__table__.metadata.sorted_tables:
                # association tables declared beside the models
                if other.name.startswith(f"{name}_"):
                    reg.table_owners.setdefault(other.name, name)


def _load_plugin_settings(reg: Registry, raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    known = set(reg.enabled_names)
    for name in raw:
        if name not in known:
            raise PluginError(f"trellis.toml: [plugins_settings.{name}] names no enabled plugin")
    out: dict[str, dict[str, Any]] = {}
    for name, schema_cls in reg.answers("trellis_settings_schema"):
        if schema_cls is None:
            continue
        try:
            out[name] = schema_cls().load(raw.get(name, {}))
        except marshmallow.ValidationError as exc:
            # a schema's load errors are a dict: field -> messages
            field, messages = next(iter(cast(dict[str, Any], exc.messages).items()))
            raise PluginError(
                f"trellis.toml: [plugins_settings.{name}] {field}: {messages[0]}"
            ) from None
    return out


def _private_file(path: Path) -> None:
    """Create ``path`` empty and owner-only (0600) unless it exists or its
    folder does not. SQLite keeps the mode of a file it finds and gives its
    -wal, -shm and -journal files the database file's mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except (FileExistsError, FileNotFoundError):
        pass


def _private_sqlite_file(url: str) -> None:
    """Before SQLite's first connect creates the database file world-readable."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        _private_file(Path(database))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys; WAL so readers never block the writer."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
