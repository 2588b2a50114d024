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
    ActivityKind, FieldType, FollowUpRule, Job, Permission, RecycleCondition,
)
from core.errors import PluginError
from core.plugins import PluginInfo


@dataclass
class Registry:
    pm: pluggy.PluginManager
    plugins: list[PluginInfo]
    disabled: list[PluginInfo]
    permissions: dict[str, Permission] = field(default_factory=dict)
    activity_kinds: dict[str, ActivityKind] = field(default_factory=dict)
    field_types: dict[str, FieldType] = field(default_factory=dict)
    followup_rules: dict[str, FollowUpRule] = field(default_factory=dict)
    recycle_conditions: dict[str, RecycleCondition] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
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

    def answers(self, hook: str, **kwargs) -> list[tuple[str, Any]]:
        """Call a hook; return ``(plugin name, answer)`` for each implementation."""
        pairs = []
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            args = {k: v for k, v in kwargs.items() if k in impl.argnames}
            pairs.append((impl.plugin_name, impl.function(**args)))
        return pairs

    def collect(self, hook: str, **kwargs) -> list[tuple[str, Any]]:
        """Call a list-returning hook; return ``(plugin name, item)`` pairs."""
        return [(name, item) for name, items in self.answers(hook, **kwargs) for item in items or ()]


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


def register_declarations(reg: Registry, core_items: dict[str, list]) -> None:
    """Fill the registry from core's own items and the plugins' hooks."""
    specs = {
        "permissions": ("trellis_permissions", "name"),
        "activity_kinds": ("trellis_activity_kinds", "code"),
        "field_types": ("trellis_custom_field_types", "code"),
        "followup_rules": ("trellis_followup_rules", "code"),
        "recycle_conditions": ("trellis_recycle_conditions", "code"),
        "jobs": ("trellis_jobs", "code"),
    }
    for attr, (hook, key) in specs.items():
        target: dict = getattr(reg, attr)
        pairs = [("core", item) for item in core_items.get(attr, [])] + reg.collect(hook)
        for owner, item in pairs:
            name = getattr(item, key)
            if name in target:
                raise PluginError(
                    f"plugin {owner!r} declares {attr.replace('_', ' ')[:-1]} {name!r}, "
                    "which is already declared"
                )
            target[name] = item


def current_registry() -> Registry:
    return current_app.extensions["trellis"]


def sorted_items(hook: str, **kwargs) -> list:
    """Call a UI-slot hook and return its items sorted by ``order`` (never by plugin order)."""
    items = [item for _, item in current_registry().collect(hook, **kwargs)]
    return sorted(items, key=lambda item: (getattr(item, "order", 100), str(item)))
