"""Trying a rule on one record: whether its conditions hold and what each
action would do — writing nothing.

The record is looked up as the asking user may see it (a customer through
:func:`~core.access.visible_customer`, a record of a customer through
:func:`~core.access.visible_record`); everything the previews read is
rolled back, so the database is as it was. A field the user's role hides
is not shown (its condition's ``actual`` is None), though it is evaluated.
"""

from __future__ import annotations

from typing import Any

from core.access import hidden_fields, visible_customer, visible_record
from core.automation.actions import all_actions
from core.automation.conditions import _holds, value_of
from core.automation.schedules import record_types
from core.automation.triggers import event_info
from core.errors import NotFoundError, ValidationError
from core.extensions import db
from core.i18n import _
from core.models import AutomationRule, User


def _visible(model: Any, record_id: int, user: User | None) -> Any:
    if model.__tablename__ == "customer":
        return visible_customer(record_id, user)
    columns = {c.key for c in model.__table__.columns}
    if "customer_id" in columns:
        return visible_record(
            model,
            record_id,
            user,
            owner_attr="owner_id" if "owner_id" in columns else "customer_id",
            team_attr="team_id" if "team_id" in columns else None,
        )
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFoundError(_("%(what)s %(id)s not found", what=model.__tablename__, id=record_id))
    return record


def try_rule(rule: AutomationRule, record_id: int, user: User | None) -> dict[str, Any]:
    """``{"matched", "conditions": [... "actual", "holds"], "actions": [{"type", "would"}]}``."""
    info = event_info(rule.event)
    clock_type = str(rule.trigger.get("record_type") or "")
    entity = info.entity if info is not None else record_types().get(clock_type)
    if entity is None:
        raise ValidationError({"record_id": [_("this rule's event is about no record")]})
    try:
        record = _visible(entity.model, record_id, user)
        hidden = hidden_fields(user, entity.type)
        conditions = [
            {
                **c,
                "actual": None if c["field"] in hidden else _json(value_of(record, c["field"])),
                "holds": _holds(c["op"], value_of(record, c["field"]), c.get("value")),
            }
            for c in rule.conditions
        ]
        matched = all(c["holds"] for c in conditions)
        known = all_actions()
        actions = []
        for item in rule.actions:
            action = known.get(item["type"])
            would = (
                action.preview(item.get("params") or {}, record, rule)
                if action is not None
                else _("no such action: %(name)s", name=item["type"])
            )
            actions.append({"type": item["type"], "would": str(would) if matched else None})
        return {
            "record_type": entity.type,
            "record_id": record.id,
            "matched": matched,
            "conditions": conditions,
            "actions": actions,
        }
    finally:
        db.session.rollback()


def _json(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)
