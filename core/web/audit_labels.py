"""How the audit log (操作日志) names what happened, in the reader's language.

An entry stores codes: the record's table (``customer``), the action
(``update``) and field names (``owner_id``). The page shows labels instead:
a table by its model's ``__label__`` (a plugin's model declares one in its
own catalogue, e.g. ``__label__ = _l("Work order")``), an action and a field
by the words core knows for the common ones. A code nothing names is shown
as it is, marked as code.
"""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_pgettext

from core.extensions import db
from core.i18n import _l

ACTIONS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "restore": lazy_pgettext("audit", "Restored"),
    "purge": lazy_pgettext("audit", "Purged"),
    "merge": lazy_pgettext("audit", "Merged"),
    "transfer": lazy_pgettext("audit", "Transferred"),
    "set_password": _l("Password set"),
    "revoke": lazy_pgettext("audit", "Revoked"),
    "complete": lazy_pgettext("audit", "Completed"),
    "convert": lazy_pgettext("audit", "Converted"),
    "disqualify": lazy_pgettext("audit", "Disqualified"),
    "escalate": lazy_pgettext("audit", "Escalated"),
    "stage": lazy_pgettext("audit", "Stage changed"),
    "appointment": lazy_pgettext("audit", "Appointment set"),
}
FIELDS = {
    "name": _l("Name"),
    "active": _l("Active"),
    "status": _l("Status"),
    "title": _l("Title"),
    "owner_id": _l("Owner"),
    "team_id": _l("Team"),
    "stage": lazy_pgettext("customer", "Stage"),
    "grade": _l("Grade"),
    "source": _l("Source"),
    "industry": _l("Industry"),
    "phones": _l("Phones"),
    "emails": _l("E-mails"),
    "email": _l("E-mail"),
    "address": _l("Address"),
    "website": _l("Website"),
    "region": _l("Region"),
    "city": _l("City"),
    "tags": _l("Tags"),
    "notes": _l("Notes"),
    "customer_id": lazy_pgettext("record", "Customer"),
    "contact_id": _l("Contact"),
    "role_id": _l("Role"),
    "locale": _l("Language"),
    "timezone": _l("Time zone"),
    "theme": _l("Theme"),
    "permissions": _l("Permissions"),
    "scope": lazy_pgettext("audit", "Data scope"),
    "hidden_fields": _l("Hidden fields"),
    "due_at": _l("Due"),
    "done_at": _l("Done"),
    "kind": _l("Kind"),
    "birthday": _l("Birthday"),
    "summary": _l("Summary"),
    "subject": _l("Summary"),
    "position": _l("Position"),
    "options": _l("Options"),
    "required": _l("Required"),
    "label": _l("Label"),
    "key": _l("Key"),
    "type": _l("Type"),
    "parent_id": lazy_pgettext("audit", "Parent team"),
    "deleted_at": _l("Deleted"),
    "custom_fields": lazy_pgettext("audit", "Custom fields"),
}
#: core's own tables (a plugin's model names itself with ``__label__``)
ENTITIES = {
    "customer": lazy_pgettext("record", "Customer"),
    "contact": _l("Contact"),
    "activity": lazy_pgettext("audit", "Activity"),
    "user_account": lazy_pgettext("audit", "User"),
    "team": _l("Team"),
    "role": _l("Role"),
    "tag": _l("Tag"),
    "custom_field_definition": lazy_pgettext("audit", "Custom field"),
    "followup_plan": lazy_pgettext("audit", "Follow-up plan"),
    "api_token": lazy_pgettext("audit", "API token"),
    "pool_rule": lazy_pgettext("audit", "Recycle rule"),
    "site_setting": lazy_pgettext("audit", "Setting"),
}


def entity_label(entity: str) -> str | None:
    """The record type ``entity`` (a table name) as users call it, or None."""
    label = ENTITIES.get(entity) or _model_labels().get(entity)
    return str(label) if label is not None else None


@cache
def _model_labels() -> dict:
    """Each mapped table's ``__label__`` (a lazy translation), read once."""
    return {
        mapper.class_.__tablename__: mapper.class_.__label__
        for mapper in db.Model.registry.mappers  # type: ignore[attr-defined]
        if getattr(mapper.class_, "__label__", None) is not None
    }


def action_label(action: str) -> str | None:
    return str(ACTIONS[action]) if action in ACTIONS else None


def field_label(key: str) -> str | None:
    return str(FIELDS[key]) if key in FIELDS else None
