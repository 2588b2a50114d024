"""Core's public surface: the one module a plugin imports.

Everything a plugin — built-in or third-party — may use is re-exported
here; the import-linter contracts in ``pyproject.toml`` forbid plugins from
reaching into core's other modules. If a plugin needs something that is not
here, it belongs here, for every plugin.
"""

import pluggy

from core import __version__ as core_version
from core.access import customer_for, scoped, sees_all, team_subtree, visible_customer
from core.declarations import (
    ActivityKind,
    CustomerTab,
    DashboardWidget,
    DueTask,
    FieldType,
    FollowUpRule,
    Job,
    Manifest,
    MenuItem,
    Permission,
    RecycleCondition,
)
from core.errors import (
    ConflictError, NotFoundError, StaleVersionError, TrellisError, ValidationError,
)
from core.events import emit, transaction
from core.extensions import db
from core.forms import payload as form_payload
from core.forms import local_datetime as form_datetime
from core.forms import version as form_version
from core.followups import create_plan as create_followup_plan
from core.followups import whole_days
from core.i18n import translator
from core.jobs import enqueue
from core.normalize import normalize_phone
from core.search import text_contains
from core.models import (
    Activity,
    Contact,
    Customer,
    DataScope,
    FollowUpPlan,
    Role,
    SoftDeleteMixin,
    Team,
    TimestampMixin,
    User,
    UTCDateTime,
    VersionedMixin,
    utcnow,
)
from core.registry import current_registry
from core.rest import ApiBlueprint
from core.rest.auth import require
from core.rest.customers import body as json_body
from core.rest.customers import expected_version
from core.rest.exports import CSV_RESPONSE, csv_export
from core.rest.lists import ListArgs, SortArgs, ordered, page_schema, paginate
from core.services.activities import complete_task, log_activity, record_attempt
from core.services.base import audit, check_version, delete_rows, load, repoint, snapshot
from core.services.contacts import create_contact
from core.services.customers import (
    create_customer, find_duplicates, get_customer, update_customer,
)
from core.throttle import public

#: decorate hook implementations with ``@hookimpl``
hookimpl = pluggy.HookimplMarker("trellis")
#: declare a plugin's own events (``trellis_<plugin>_<event>``) with ``@hookspec``
hookspec = pluggy.HookspecMarker("trellis")


def plugin_settings(name: str) -> dict:
    """The validated settings of plugin ``name`` (see ``trellis_settings_schema``)."""
    return current_registry().plugin_settings.get(name, {})


__all__ = [
    "Activity", "ActivityKind", "ApiBlueprint", "CSV_RESPONSE", "ListArgs", "SortArgs", "csv_export",
    "ordered", "page_schema", "paginate", "require", "Contact", "Customer", "CustomerTab", "DashboardWidget",
    "DataScope", "DueTask", "FieldType", "FollowUpPlan", "FollowUpRule", "Job", "Manifest", "MenuItem",
    "ConflictError", "NotFoundError", "Permission", "RecycleCondition", "Role", "SoftDeleteMixin", "StaleVersionError", "Team",
    "TimestampMixin", "TrellisError", "UTCDateTime", "User", "ValidationError", "VersionedMixin",
    "audit", "check_version", "delete_rows", "repoint", "complete_task", "core_version", "create_contact",
    "create_followup_plan",
    "create_customer", "db", "emit", "enqueue", "get_customer", "hookimpl", "hookspec", "form_datetime", "form_payload", "form_version", "json_body", "expected_version", "find_duplicates", "public", "load", "log_activity",
    "normalize_phone", "text_contains",
    "plugin_settings", "record_attempt", "scoped", "sees_all", "customer_for", "visible_customer", "snapshot", "team_subtree", "transaction",
    "translator", "update_customer", "utcnow", "whole_days",
]
