"""How the audit log (操作日志) names what happened, in the reader's language.

An entry stores codes: the record's table (``customer``), the action
(``update``) and field names (``owner_id``). The page shows labels instead:
a table by its model's ``__label__`` (a plugin's model declares one in its
own catalogue, e.g. ``__label__ = _l("Work order")``), an action and a field
by the words core knows for the common ones. A code nothing names is shown
as it is, marked as code. Values that are codes too — a user's language
(``zh_CN``) and theme (``dark``), a role's data scope (``team``), a
customer's stage and kind — are shown by their labels (:func:`value_label`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from flask import current_app
from flask_babel import lazy_pgettext

from core.company import LABELS as COMPANY_LABELS
from core.company import PREFIX as COMPANY_PREFIX
from core.extensions import db
from core.i18n import _l
from core.models import DataScope
from core.themes import theme_title
from core.web.base import STAGE_LABELS

#: the languages a user picks from, each in its own words (the user form's too)
LOCALES = [("en", "English"), ("zh_CN", "简体中文")]
#: what a role's scope means, as the role form and the audit log say it
SCOPES = {
    DataScope.own: _l("Own records only"),
    DataScope.team: _l("Their team's records"),
    DataScope.all: _l("All records"),
}

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
    "read": lazy_pgettext("audit", "Read"),
    "export": lazy_pgettext("audit", "Exported"),
    "consent": _l("Consent recorded"),
    "consent_confirmation": _l("Consent confirmation sent"),
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
    **{f"{COMPANY_PREFIX}{key}": label for key, label in COMPANY_LABELS.items()},
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


def value_label(entity: str, key: str, value: Any) -> str:
    """A value of field ``key`` of an ``entity`` row as users read it: a known
    code by its label (``zh_CN`` → 简体中文), a yes/no as such, anything else
    as it is stored."""
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    known = VALUES.get((entity, key))
    label = known(value) if known is not None and isinstance(value, str) else None
    return str(label) if label is not None else str(value)


def _language(code: str) -> str | None:
    return dict(LOCALES).get(code)


def _theme(name: str) -> str | None:
    theme = current_app.extensions["trellis_themes"].get(name)
    return theme_title(theme) if theme is not None else None


def _scope(code: str) -> Any:
    return {scope.value: label for scope, label in SCOPES.items()}.get(code)


def _stage(code: str) -> Any:
    return {stage.value: label for stage, label in STAGE_LABELS.items()}.get(code)


def _activity_kind(code: str) -> Any:
    known = current_app.extensions["trellis"].activity_kinds.get(code)
    return known.label if known is not None else None


#: (table, field) → what names that field's stored codes
VALUES: dict[tuple[str, str], Callable[[str], Any]] = {
    ("user_account", "locale"): _language,
    ("user_account", "theme"): _theme,
    ("site_setting", "value"): _theme,  # the one audited site setting is the theme
    ("role", "scope"): _scope,
    ("customer", "stage"): _stage,
    ("customer", "kind"): {"company": _l("Company"), "person": _l("Person")}.get,
    ("activity", "kind"): _activity_kind,
}
