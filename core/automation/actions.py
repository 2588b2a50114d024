"""What a rule does: actions, each a small class with its parameters,
their checks, a dry-run description and ``run()``.

The interface is :mod:`.base`. Core's actions (:mod:`.record_actions`,
:mod:`.message_actions`, :mod:`.webhook_action`) are create a task,
assign an owner, update a field, add a tag, send an e-mail or an SMS and
call a webhook;
plugins add theirs through the ``trellis_automation_actions`` hook — a list
of :class:`AutomationAction` instances, each with a ``code`` unique across
core and the plugins (start it with the plugin's name).

A rule stores its actions as ``[{"type": code, "params": {...}}]``. Saving
checks each: an unknown type is refused naming ``actions.<i>.type``, a
missing or wrong parameter naming ``actions.<i>.params.<name>``.
"""

from __future__ import annotations

from typing import Any

from core.automation.base import AutomationAction
from core.automation.message_actions import MESSAGE_ACTIONS
from core.automation.record_actions import RECORD_ACTIONS
from core.automation.records import Entity
from core.automation.webhook_action import CallWebhook
from core.i18n import _
from core.models import User
from core.registry import current_registry

MAX_ACTIONS = 20


def core_actions() -> list[AutomationAction]:
    return [*RECORD_ACTIONS, *MESSAGE_ACTIONS, CallWebhook()]


def all_actions() -> dict[str, AutomationAction]:
    """Every action by code: core's, then the plugins' (``trellis_automation_actions``)."""
    found: dict[str, AutomationAction] = {}
    for action in [*core_actions(), *current_registry().collect("trellis_automation_actions")]:
        found.setdefault(action.code, action)
    return found


def check_actions(actions: Any, entity: Entity | None, actor: User | None) -> dict[str, list[str]]:
    """Errors by field (``actions.0.params.title`` …); none when every action is sound."""
    if not isinstance(actions, list) or not actions:
        return {"actions": [_("a rule needs at least one action")]}
    if len(actions) > MAX_ACTIONS:
        return {"actions": [_("at most %(n)d actions", n=MAX_ACTIONS)]}
    known = all_actions()
    errors: dict[str, list[str]] = {}
    for i, item in enumerate(actions):
        where = f"actions.{i}"
        if not isinstance(item, dict):
            errors[where] = [_("expected {type, params}")]
            continue
        action = known.get(item.get("type", ""))
        if action is None:
            errors[f"{where}.type"] = [_("no such action: %(name)s", name=item.get("type"))]
            continue
        params = item.get("params") or {}
        if not isinstance(params, dict):
            errors[f"{where}.params"] = [_("expected an object of parameters")]
            continue
        for param in action.params:
            if param.required and params.get(param.name) in (None, "", []):
                errors[f"{where}.params.{param.name}"] = [_("this parameter is required")]
        if any(k.startswith(f"{where}.") for k in errors):
            continue
        for name, messages in action.check(params, entity, actor).items():
            errors[f"{where}.params.{name}" if name else f"{where}.type"] = messages
    return errors
