"""Rules: saving (every part checked, refused naming the field), deleting.

A rule is refused with a 422 naming what is wrong: ``trigger.kind``,
``trigger.event`` (no such event, or one that carries no ``changes`` for a
``field_changed`` trigger), ``trigger.field``, ``conditions.0.field`` …,
``actions.0.type``, ``actions.0.params.title`` ….
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from core.automation.actions import check_actions
from core.automation.conditions import check as check_conditions
from core.automation.records import Entity
from core.automation.schedules import CLOCK_EVENTS, check_clock, next_slot
from core.automation.triggers import TRIGGER_KINDS, event_info
from core.automation.webhook_action import CallWebhook
from core.errors import ValidationError
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.models import AutomationRule, User, utcnow
from core.schemas import Flag
from core.services.base import audit, check_version, load, snapshot

MANAGE = "admin.automation"
#: a ``field_changed`` trigger that names no event watches customers
DEFAULT_CHANGE_EVENT = "customer_updated"
#: what a rule keeps of each kind of trigger
TRIGGER_KEYS = {
    "event": ("kind", "event"),
    "field_changed": ("kind", "event", "field", "value"),
    "schedule": ("kind", "event", "cron", "record_type"),
    "date": ("kind", "event", "record_type", "field", "offset_days", "hour", "yearly"),
}


class AutomationRuleInput(Schema):
    """A rule as the API and the admin form send it."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    active = Flag(load_default=True)
    trigger = fields.Dict(
        required=True,
        metadata={
            "description": '{"kind": "event", "event": "customer_created"}, {"kind": '
            '"field_changed", "event": "customer_updated", "field": "grade", "value": "A"}, '
            '{"kind": "schedule", "cron": "0 9 * * 1", "record_type": "customer"} or '
            '{"kind": "date", "record_type": "contact", "field": "birthday", '
            '"offset_days": -7, "hour": 9, "yearly": true}'
        },
    )
    conditions = fields.List(
        fields.Dict(),
        load_default=list,
        metadata={"description": 'all of [{"field": "grade", "op": "eq", "value": "A"}]'},
    )
    actions = fields.List(
        fields.Dict(),
        required=True,
        metadata={"description": '[{"type": "create_task", "params": {"title": "Call"}}]'},
    )
    version = fields.Integer(load_default=None, allow_none=True)


def check_trigger(trigger: dict[str, Any]) -> tuple[dict[str, list[str]], Entity | None]:
    """Errors by field and the record type the trigger's event is about."""
    kind = trigger.get("kind", "event")
    if kind not in TRIGGER_KINDS:
        return {
            "trigger.kind": [_("must be one of: %(options)s", options=", ".join(TRIGGER_KINDS))]
        }, None
    if kind in CLOCK_EVENTS:
        return check_clock(trigger)
    if kind == "field_changed":
        trigger.setdefault("event", DEFAULT_CHANGE_EVENT)
    info = event_info(str(trigger.get("event", "")))
    if info is None:
        message = _(
            "no such event: %(names)s; see /api/v1/automation/events", names=trigger.get("event")
        )
        return {"trigger.event": [message]}, None
    if kind == "field_changed":
        if not info.has_changes or info.entity is None:
            return {"trigger.event": [_("this event carries no changed fields")]}, None
        if trigger.get("field") not in info.entity.fields():
            return {
                "trigger.field": [
                    _(
                        "no such field of %(record)s: %(field)s",
                        record=info.entity.type,
                        field=trigger.get("field"),
                    )
                ]
            }, info.entity
    return {}, info.entity


def _checked(data: dict[str, Any], actor: User | None) -> dict[str, Any]:
    trigger = dict(data["trigger"])
    trigger.setdefault("kind", "event")
    errors, entity = check_trigger(trigger)
    if "trigger.event" not in errors and "trigger.kind" not in errors:
        errors.update(check_conditions(data["conditions"], entity))
        errors.update(check_actions(data["actions"], entity, actor))
    if errors:
        raise ValidationError(errors)
    kept = {k: trigger[k] for k in TRIGGER_KEYS.get(trigger["kind"], ()) if k in trigger}
    actions = [
        {
            "type": a["type"],
            "params": CallWebhook.completed(a.get("params") or {})
            if a["type"] == CallWebhook.code
            else a.get("params") or {},
        }
        for a in data["actions"]
    ]
    return {**data, "trigger": kept, "actions": actions}


def save_rule(payload: dict, rule: AutomationRule | None, actor: User | None) -> AutomationRule:
    """Create a rule (``rule`` None) or change one (a partial ``payload``;
    send ``version``). The whole rule is checked, the parts not sent included."""
    data = load(AutomationRuleInput(), payload, partial=rule is not None)
    if rule is not None:
        check_version(rule, data.pop("version", None))
        for key in ("name", "active", "trigger", "conditions", "actions"):
            data.setdefault(key, getattr(rule, key))
    data.pop("version", None)
    data = _checked(data, actor)
    with transaction():
        before = _audited(rule) if rule is not None else None
        if rule is None:
            rule = AutomationRule(created_by_id=actor.id if actor else None)
        rule.name = data["name"].strip()
        rule.active = data["active"]
        rule.trigger = data["trigger"]
        rule.event = data["trigger"]["event"]
        rule.conditions = data["conditions"]
        rule.actions = data["actions"]
        clock = rule.trigger["kind"] in CLOCK_EVENTS
        rule.next_run_at = next_slot(rule.trigger, utcnow()) if clock else None
        db.session.add(rule)
        db.session.flush()
        audit(actor, rule, "update" if before else "create", before, _audited(rule))
    return rule


def _audited(rule: AutomationRule) -> dict[str, Any]:
    """The rule as the audit log keeps it: a webhook's signing secret masked."""
    values = snapshot(rule)
    values["actions"] = [
        {**a, "params": {**a["params"], "secret": "***"}}
        if isinstance(a.get("params"), dict) and "secret" in a["params"]
        else a
        for a in values.get("actions") or []
    ]
    return values


def delete_rule(rule: AutomationRule, actor: User | None) -> None:
    """Move a rule to the recycle bin: it runs no more; its log stays."""
    with transaction():
        before = _audited(rule)
        rule.deleted_at = utcnow()
        rule.active = False
        audit(actor, rule, "delete", before, _audited(rule))
