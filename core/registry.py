"""What the enabled plugins declared, collected once per application.

``current_registry()`` is how core code reaches the plugin manager and the
declarations during a request or CLI command. Lists that plugins contribute
to are checked here for clashes, so a bad declaration stops start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy
from flask import current_app

from core.declarations import (
    ActivityKind,
    Approvable,
    CustomerFilter,
    FieldType,
    FollowUpRule,
    Job,
    Permission,
    RecycleCondition,
    RoleTemplate,
    Searchable,
)
from core.errors import PluginError
from core.facts import FACT_KINDS, FACT_MEANINGS, CustomerFact, JourneyStep, MoneyEvent
from core.plugins import PluginInfo


@dataclass
class Registry:
    pm: pluggy.PluginManager
    plugins: list[PluginInfo]
    disabled: list[PluginInfo]
    permissions: dict[str, Permission] = field(default_factory=dict)
    roles: dict[str, RoleTemplate] = field(default_factory=dict)
    activity_kinds: dict[str, ActivityKind] = field(default_factory=dict)
    field_types: dict[str, FieldType] = field(default_factory=dict)
    followup_rules: dict[str, FollowUpRule] = field(default_factory=dict)
    recycle_conditions: dict[str, RecycleCondition] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    searchables: dict[str, Searchable] = field(default_factory=dict)
    #: what plugins know of each customer, and the money customers bring
    customer_facts: dict[str, CustomerFact] = field(default_factory=dict)
    money_events: dict[str, MoneyEvent] = field(default_factory=dict)
    #: the steps of the customer journey plugins know (``trellis_journey_steps``)
    journey_steps: dict[str, JourneyStep] = field(default_factory=dict)
    #: filters plugins add to the customers list (``trellis_customer_filters``)
    customer_filters: dict[str, CustomerFilter] = field(default_factory=dict)
    #: record type -> what can require approval (``trellis_approvables``)
    approvables: dict[str, Approvable] = field(default_factory=dict)
    #: target name -> what imports it (``trellis_importers``; ``core.imports.Importer``)
    importers: dict[str, Any] = field(default_factory=dict)
    #: mapped class -> its searchable (the index's writer looks records up by class)
    searchable_models: dict[type, Searchable] = field(default_factory=dict)
    #: table name -> plugin name (``"core"`` for core's tables)
    table_owners: dict[str, str] = field(default_factory=dict)
    plugin_settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def enabled_names(self) -> list[str]:
        return [p.name for p in self.plugins]

    def migration_dirs(self) -> dict[str, Path]:
        """plugin name -> its Alembic versions folder, for enabled plugins that have one."""
        return self.folders("trellis_migrations_dir")

    def folders(self, hook: str) -> dict[str, Path]:
        """plugin name -> folder, from ``hook`` or else the conventional place.

        A plugin package that keeps ``migrations/versions/``, ``templates/``
        or ``translations/`` next to its ``__init__.py`` needs no hook for
        them; the hooks are for plugins laid out differently.
        """
        found = {name: Path(path) for name, path in self.answers(hook) if path}
        for plugin in self.plugins:
            if plugin.name not in found:
                folder = conventional_folder(plugin.module, hook)
                if folder is not None:
                    found[plugin.name] = folder
        return found

    def call(self, hook: str, **kwargs: Any) -> Any:
        """Call ``hook`` exactly as pluggy does, and return pluggy's answer.

        ``tryfirst``/``trylast``, wrappers and ``firstresult`` mean what
        pluggy documents: a list of the non-``None`` answers, most recently
        registered first unless ordered otherwise, or the first one for a
        ``firstresult`` hook.
        """
        return getattr(self.pm.hook, hook)(**kwargs)

    def collect(self, hook: str, **kwargs: Any) -> list[Any]:
        """Call a hook whose implementations each return a list; return the items, flattened."""
        return [item for items in self.call(hook, **kwargs) for item in items or ()]

    def answers(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """``(plugin name, answer)`` for each plugin implementing ``hook``, in load order.

        For the hooks whose answer belongs to the plugin that gave it — its
        models, blueprints, folders, settings schema, declarations. Each
        plugin's implementations are called through pluggy's own calling on
        a subset of the plugin manager, so its wrappers and ordering hold;
        ``None`` answers are left out, as pluggy leaves them out.
        """
        caller = getattr(self.pm.hook, hook)
        position = {p.name: i for i, p in enumerate(self.plugins)}
        owners = sorted(
            {impl.plugin_name for impl in caller.get_hookimpls()},
            key=lambda name: (position.get(name, len(position)), name),
        )
        pairs: list[tuple[str, Any]] = []
        for owner in owners:
            answer = self.call_on(owner, hook, **kwargs)
            if caller.spec is not None and caller.spec.opts.get("firstresult"):
                answer = [] if answer is None else [answer]
            pairs.extend((owner, item) for item in answer)
        return pairs

    def call_on(self, plugin: str, hook: str, **kwargs: Any) -> Any:
        """Call ``hook`` on one plugin's implementations only, through pluggy."""
        others = [obj for name, obj in self.pm.list_name_plugin() if name != plugin]
        return self.pm.subset_hook_caller(hook, remove_plugins=others)(**kwargs)


CONVENTIONAL_FOLDERS = {
    "trellis_migrations_dir": "migrations/versions",
    "trellis_templates_dir": "templates",
    "trellis_translations_dir": "translations",
}


def conventional_folder(module, hook: str) -> Path | None:
    """The folder a plugin package keeps by convention for ``hook``, if it exists."""
    if module is None or not getattr(module, "__file__", None):
        return None
    folder = Path(module.__file__).parent / CONVENTIONAL_FOLDERS[hook]
    return folder if folder.is_dir() else None


#: the declarations whose key must start with the declaring plugin's name
OWN_PREFIX = ("journey_steps",)


def register_declarations(reg: Registry, core_items: dict[str, list]) -> None:
    """Fill the registry from core's own items and the plugins' hooks."""
    specs = {
        "permissions": ("trellis_permissions", "name"),
        "roles": ("trellis_roles", "name"),
        "activity_kinds": ("trellis_activity_kinds", "code"),
        "field_types": ("trellis_custom_field_types", "code"),
        "followup_rules": ("trellis_followup_rules", "code"),
        "recycle_conditions": ("trellis_recycle_conditions", "code"),
        "jobs": ("trellis_jobs", "code"),
        "searchables": ("trellis_searchables", "kind"),
        "approvables": ("trellis_approvables", "record_type"),
        "customer_facts": ("trellis_customer_facts", "key"),
        "money_events": ("trellis_money_events", "key"),
        "journey_steps": ("trellis_journey_steps", "key"),
        "customer_filters": ("trellis_customer_filters", "key"),
        "importers": ("trellis_importers", "name"),
    }
    for attr, (hook, key) in specs.items():
        target: dict = getattr(reg, attr)
        pairs = [("core", item) for item in core_items.get(attr, [])] + [
            (owner, item) for owner, items in reg.answers(hook) for item in items or ()
        ]
        for owner, item in pairs:
            name = getattr(item, key)
            if attr in OWN_PREFIX and not str(name).startswith(f"{owner}."):
                raise PluginError(
                    f"plugin {owner!r} declares {attr.replace('_', ' ')[:-1]} {name!r}: "
                    f"its key must start with {owner + '.'!r}"
                )
            if name in target:
                raise PluginError(
                    f"plugin {owner!r} declares {attr.replace('_', ' ')[:-1]} {name!r}, "
                    "which is already declared"
                )
            target[name] = item
    if bad := [key for key in reg.customer_filters if ":" in key or not key]:
        raise PluginError(f"customer filter {bad[0]!r}: a key may not be empty or hold ':'")
    for key, fact in reg.customer_facts.items():
        if fact.kind not in FACT_KINDS or (fact.meaning and fact.meaning not in FACT_MEANINGS):
            raise PluginError(
                f"customer fact {key!r}: kind must be one of {', '.join(FACT_KINDS)}; "
                f"meaning empty or one of {', '.join(FACT_MEANINGS)}"
            )


def current_registry() -> Registry:
    return current_app.extensions["trellis"]


def plugin_settings(name: str) -> dict[str, Any]:
    """The validated settings of plugin ``name``: the
    ``[plugins_settings.<name>]`` table of the instance ``trellis.toml``,
    loaded through the plugin's ``trellis_settings_schema`` (defaults filled
    in); ``{}`` for a plugin without a settings schema."""
    return current_registry().plugin_settings.get(name, {})


def call_hook(name: str, **kwargs: Any) -> Any:
    """Ask every plugin's ``name`` hook (one a plugin's ``hookspecs`` declares
    for others to answer) and return pluggy's answer: the list of non-None
    answers, or the first one for a ``firstresult`` spec."""
    return current_registry().call(name, **kwargs)


def sorted_items(hook: str, **kwargs) -> list:
    """Call a UI-slot hook and return its items sorted by ``order`` (never by plugin order)."""
    return sorted(
        current_registry().collect(hook, **kwargs),
        key=lambda item: (getattr(item, "order", 100), str(item)),
    )
