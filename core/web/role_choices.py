"""What the role form offers to pick from: the declared permissions grouped
by who declares them, and the fields a role may hide, each by its label —
never a code the admin has to type."""

from __future__ import annotations

from core.i18n import _
from core.registry import current_registry
from core.web.audit_labels import entity_label, field_label
from core.web.customers import EDITABLE

#: the fields a role may hide, by record (``<entity>.<field>`` on the role):
#: what a customer form edits but its name, kind, stage and tags, which say
#: what the record is and stay in sight
HIDEABLE = {
    "customer": tuple(f for f in EDITABLE if f not in ("name", "kind", "stage", "tags")),
    "contact": ("title", "phones", "emails", "birthday", "notes"),
}


def hideable_fields() -> list[tuple[str, list[tuple[str, str]]]]:
    """The fields a role may hide, as ``(record label, [(value, field label)])``."""
    return [
        (
            entity_label(entity) or entity,
            [(f"{entity}.{key}", field_label(key) or key) for key in keys],
        )
        for entity, keys in HIDEABLE.items()
    ]


def permission_groups() -> list[tuple[str, list]]:
    """The declared permissions by who declares them: core's first (titled
    for what they guard), then each plugin's under its title."""
    registry = current_registry()
    titles = {info.name: info.manifest.title for info in registry.plugins if info.manifest}
    by_owner: dict[str, list] = {}
    for owner, items in registry.answers("trellis_permissions"):
        by_owner.setdefault(owner, []).extend(items or ())
    owned = {p.name for items in by_owner.values() for p in items}
    core = [p for name, p in sorted(registry.permissions.items()) if name not in owned]
    groups = [(str(_("Customers and administration")), core)]
    for owner, items in by_owner.items():
        groups.append((str(titles.get(owner, owner)), sorted(items, key=lambda p: p.name)))
    return groups
