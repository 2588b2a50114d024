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

from core.declarations import ActivityKind, FieldType, FollowUpRule, Permission
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
    #: table name -> plugin name (``"core"`` for core's tables)
    table_owners: dict[str, str] = field(default_factory=dict)
    plugin_settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def enabled_names(self) -> list[str]:
        return [p.name for p in self.plugins]

    def migration_dirs(self) -> dict[str, Path]:
        """plugin name -> its Alembic versions folder, for enabled plugins that have one."""
        return {name: Path(path) for name, path in self.answers("trellis_migrations_dir") if path}

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


def register_declarations(reg: Registry, core_items: dict[str, list]) -> None:
    """Fill the registry from core's own items and the plugins' hooks."""
    specs = {
        "permissions": ("trellis_permissions", "name"),
        "activity_kinds": ("trellis_activity_kinds", "code"),
        "field_types": ("trellis_custom_field_types", "code"),
        "followup_rules": ("trellis_followup_rules", "code"),
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
