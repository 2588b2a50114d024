"""The JSON API under ``/api/v1``, described at ``/api/v1/openapi.json``.

Plugins add their resources with ``core.api.ApiBlueprint`` (flask-smorest's
Blueprint) from ``trellis_api_blueprints``; they are mounted under
``/api/v1/<plugin>`` and appear in the same OpenAPI document.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import fields

from core import __version__
from core.rest import auth, problems
from core.rest.lazydoc import LazyDocApi
from core.rest.openapi import ProblemResponses, SchemaRules

#: what a decimal string may look like ("1999.90", "-3", "1e3"): marshmallow's
#: Decimal reads these and refuses anything else
DECIMAL_PATTERN = r"^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"


def decimal_as_string(self, field, **kwargs) -> dict:
    """Money goes over the wire as a string ("1999.90"): say so in the
    OpenAPI document, not "number", for every ``Decimal(as_string=True)``."""
    if isinstance(field, fields.Decimal) and field.as_string:
        return {
            "type": ["string", "null"] if field.allow_none else "string",
            "format": "decimal",
            "pattern": getattr(field, "pattern", DECIMAL_PATTERN),  # core.schemas.Amount's
        }
    return {}


def declared_choices(app: Flask):
    """An attribute function for the OpenAPI converter: a field whose
    metadata says ``declared="permissions"`` (or another declaration list
    of the registry: ``field_types`` …) is documented with those codes as
    its ``enum``, plus the field's ``also`` codes (the ``*`` permission)."""

    def attribute(self, field, **kwargs) -> dict:
        kind = field.metadata.get("declared")
        if kind is None:
            return {}
        codes = sorted(getattr(app.extensions["trellis"], kind))
        return {"enum": [*field.metadata.get("also", ()), *codes]}

    return attribute


def init_api(app: Flask, plugin_blueprints: list[tuple[str, Blueprint]]) -> Api:
    """One ``Api`` per app (a module-level one would leak between apps)."""
    app.config.update(
        API_TITLE="Trellis",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                }
            },
            "security": [{"bearer": []}, {"session": []}],
        },
    )
    # the document is written on its first read (core.rest.lazydoc), not at start-up
    api = LazyDocApi(app, spec_kwargs={"extra_plugins": [ProblemResponses(), SchemaRules()]})
    api.spec.components.schemas.pop("Error", None)  # flask-smorest's; ours is Problem
    api.ma_plugin.converter.add_attribute_function(decimal_as_string)
    api.ma_plugin.converter.add_attribute_function(declared_choices(app))
    from core.rest.admin import bp as admin
    from core.rest.approvals import bp as approvals
    from core.rest.attachments import bp as attachments
    from core.rest.automation import bp as automation
    from core.rest.consents import bp as consents
    from core.rest.customers import bp as customers
    from core.rest.directory import bp as directory
    from core.rest.imports import bp as imports
    from core.rest.meta import bp as meta
    from core.rest.pool import bp as pool
    from core.rest.records import bp as records
    from core.rest.webhooks import bp as webhooks

    api.register_blueprint(customers, url_prefix="/api/v1/customers")
    api.register_blueprint(consents, url_prefix="/api/v1/customers")
    api.register_blueprint(records, url_prefix="/api/v1")
    api.register_blueprint(meta, url_prefix="/api/v1")
    api.register_blueprint(pool, url_prefix="/api/v1")
    api.register_blueprint(admin, url_prefix="/api/v1")
    api.register_blueprint(directory, url_prefix="/api/v1")
    api.register_blueprint(approvals, url_prefix="/api/v1/approvals")
    api.register_blueprint(attachments, url_prefix="/api/v1")
    api.register_blueprint(webhooks, url_prefix="/api/v1/webhooks")
    api.register_blueprint(imports, url_prefix="/api/v1/imports")
    api.register_blueprint(automation, url_prefix="/api/v1/automation")
    for name, bp in plugin_blueprints:
        # /api/v1/<plugin name>, or the plugin's own url_prefix below /api/v1/
        own = getattr(bp, "url_prefix", None) or ""
        prefix = own if own.startswith("/api/v1/") else f"/api/v1/{name}"
        if isinstance(bp, ApiBlueprint):
            api.register_blueprint(bp, url_prefix=prefix)
        else:
            app.register_blueprint(bp, url_prefix=prefix)
    problems.register(app)  # after Api(): ours answer in RFC 9457 form
    auth.register(app)
    return api


__all__ = ["ApiBlueprint", "init_api"]
