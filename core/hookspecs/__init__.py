"""Every hook a Trellis plugin can implement, by concern.

A plugin is a module (or object) with functions decorated by
``core.api.hookimpl`` and named after a spec here. Trellis calls each hook
through one plugin manager per application, through pluggy's own calling;
never rely on the order in which plugins answer: hooks that return lists give
each item an ``order`` (or a ``key``), and core sorts them.

The specs live in one module per concern (:data:`SECTIONS`, in the order
``docs/hooks.md`` follows); this package re-exports them all, so
``pm.add_hookspecs(core.hookspecs)`` registers every one. ``docs/hooks.md``
is generated from them (``make docs``); a test fails when it is stale and
when a hook has no test that exercises it.
"""

from __future__ import annotations

from core.hookspecs import approvals, declarations, events, records, structure, ui
from core.hookspecs.approvals import (
    trellis_approvables,
    trellis_approval_decided,
    trellis_approval_submitted,
)
from core.hookspecs.declarations import (
    trellis_activity_kinds,
    trellis_automation_actions,
    trellis_custom_field_types,
    trellis_customer_facts,
    trellis_followup_rules,
    trellis_importers,
    trellis_jobs,
    trellis_journey_steps,
    trellis_message_senders,
    trellis_money_events,
    trellis_permissions,
    trellis_recycle_conditions,
    trellis_roles,
    trellis_searchables,
)
from core.hookspecs.events import (
    trellis_activity_logged,
    trellis_contact_created,
    trellis_customer_created,
    trellis_customer_deleted,
    trellis_customer_merged,
    trellis_customer_owner_changed,
    trellis_customer_restored,
    trellis_customer_updated,
)
from core.hookspecs.markers import eventspec, hookspec, is_event
from core.hookspecs.records import (
    trellis_customer_veto,
    trellis_customers_in_care,
    trellis_customers_not_to_contact,
    trellis_merge_records,
    trellis_purge_records,
    trellis_transfer_records,
)
from core.hookspecs.structure import (
    trellis_api_blueprints,
    trellis_app_created,
    trellis_blueprints,
    trellis_cli_commands,
    trellis_migrations_dir,
    trellis_models,
    trellis_plugin_synced,
    trellis_settings_schema,
    trellis_templates_dir,
    trellis_translations_dir,
)
from core.hookspecs.ui import (
    trellis_customer_actions,
    trellis_customer_columns,
    trellis_customer_filters,
    trellis_customer_tabs,
    trellis_dashboard_widgets,
    trellis_demo_data,
    trellis_menu_items,
    trellis_search,
    trellis_timeline_links,
)

#: the modules of specs, in the order of the reference
SECTIONS = (structure, declarations, records, ui, events, approvals)

__all__ = [
    "SECTIONS",
    "eventspec",
    "hookspec",
    "is_event",
    "trellis_activity_kinds",
    "trellis_activity_logged",
    "trellis_api_blueprints",
    "trellis_app_created",
    "trellis_approvables",
    "trellis_approval_decided",
    "trellis_approval_submitted",
    "trellis_automation_actions",
    "trellis_blueprints",
    "trellis_cli_commands",
    "trellis_contact_created",
    "trellis_custom_field_types",
    "trellis_customer_actions",
    "trellis_customer_columns",
    "trellis_customer_filters",
    "trellis_customer_created",
    "trellis_customer_deleted",
    "trellis_customer_facts",
    "trellis_customer_merged",
    "trellis_customer_owner_changed",
    "trellis_customer_restored",
    "trellis_customer_tabs",
    "trellis_customer_updated",
    "trellis_customer_veto",
    "trellis_customers_in_care",
    "trellis_customers_not_to_contact",
    "trellis_dashboard_widgets",
    "trellis_demo_data",
    "trellis_followup_rules",
    "trellis_importers",
    "trellis_jobs",
    "trellis_journey_steps",
    "trellis_menu_items",
    "trellis_merge_records",
    "trellis_message_senders",
    "trellis_migrations_dir",
    "trellis_models",
    "trellis_money_events",
    "trellis_permissions",
    "trellis_plugin_synced",
    "trellis_purge_records",
    "trellis_recycle_conditions",
    "trellis_roles",
    "trellis_search",
    "trellis_searchables",
    "trellis_settings_schema",
    "trellis_templates_dir",
    "trellis_timeline_links",
    "trellis_transfer_records",
    "trellis_translations_dir",
]
