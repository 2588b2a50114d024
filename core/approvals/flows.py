"""Approval flows: what an admin defines per record type, checked when it is
saved (not when a record is stuck), and the choice of the flow a record
goes through."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.approvals.reminders import ensure_reminder_plan
from core.declarations import Approvable
from core.errors import ValidationError, refuse
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.models import ApprovalFlow, ApprovalStep, Role, User, utcnow
from core.models.approvals import APPROVER_KINDS, STEP_MODES
from core.registry import current_registry
from core.schemas import Id
from core.services.base import audit, check_version, load, snapshot

#: what a condition may compare with, by the type the record type declares for the field
OPERATORS = ("gt", "gte", "lt", "lte", "eq", "in")
ORDERED = ("gt", "gte", "lt", "lte")
FIELD_TYPES = ("number", "percent", "choice", "text")


class ConditionInput(Schema):
    field = fields.String(required=True, validate=validate.Length(min=1, max=64))
    op = fields.String(required=True, validate=validate.OneOf(OPERATORS))
    value = fields.Raw(required=True)


class StepInput(Schema):
    approver_kind = fields.String(required=True, validate=validate.OneOf(APPROVER_KINDS))
    role = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    user_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=50))
    mode = fields.String(load_default="any", validate=validate.OneOf(STEP_MODES))


class FlowInput(Schema):
    """An approval flow as the API and the admin form send it."""

    record_type = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    active = fields.Boolean(load_default=True)
    priority = fields.Integer(load_default=100, validate=validate.Range(min=0, max=10000))
    condition = fields.Nested(ConditionInput, load_default=None, allow_none=True)
    steps = fields.List(fields.Nested(StepInput), required=True, validate=validate.Length(max=20))
    version = fields.Integer(load_default=None, allow_none=True)


def approvable(record_type: str) -> Approvable | None:
    return current_registry().approvables.get(record_type)


def save_flow(payload: dict, flow: ApprovalFlow | None, actor: User | None) -> ApprovalFlow:
    """Create a flow (``flow`` None) or replace one, its steps included.

    Refused with the field named: an undeclared record type or condition
    field, no steps, a role without active members, a user who is not active.
    """
    data = load(FlowInput(), payload)
    if flow is not None:
        check_version(flow, data.pop("version"))
    else:
        data.pop("version")
    _check(data)
    with transaction():
        before = snapshot_with_steps(flow) if flow is not None else None
        flow = flow if flow is not None else ApprovalFlow()
        for key in ("record_type", "name", "active", "priority", "condition"):
            setattr(flow, key, data[key])
        if flow.steps:  # the old steps go first: positions are unique per flow
            flow.steps.clear()
            db.session.flush()
        flow.steps = [
            ApprovalStep(
                position=i,
                approver_kind=step["approver_kind"],
                role_name=step["role"] if step["approver_kind"] == "role" else None,
                user_ids=step["user_ids"] if step["approver_kind"] in ("user", "users") else [],
                mode=step["mode"],
            )
            for i, step in enumerate(data["steps"])
        ]
        db.session.add(flow)
        db.session.flush()
        audit(actor, flow, "update" if before else "create", before, snapshot_with_steps(flow))
        ensure_reminder_plan()
    return flow


def delete_flow(flow: ApprovalFlow, actor: User | None) -> None:
    """Move a flow to the recycle bin: new records no longer go through it;
    requests already on their way keep their copy of its steps."""
    with transaction():
        before = snapshot(flow)
        flow.deleted_at = utcnow()
        audit(actor, flow, "delete", before, snapshot(flow))


def snapshot_with_steps(flow: ApprovalFlow) -> dict[str, Any]:
    values = snapshot(flow)
    values["steps"] = [
        {k: v for k, v in snapshot(s).items() if k not in ("id", "flow_id")} for s in flow.steps
    ]
    return values


def _check(data: dict) -> None:
    """Every problem of a flow, by field (``steps.1.role``)."""
    kind = approvable(data["record_type"])
    if kind is None:
        known = ", ".join(sorted(current_registry().approvables)) or "—"
        raise ValidationError(
            {
                "record_type": [
                    _(
                        "no record type %(type)s; one of: %(known)s",
                        type=data["record_type"],
                        known=known,
                    )
                ]
            }
        )
    invalid: dict[str, list[str]] = {}
    state: dict[str, list[str]] = {}
    if data["condition"] is not None:
        invalid.update(_check_condition(data["condition"], kind))
    if not data["steps"]:
        invalid["steps"] = [_("a flow needs at least one step")]
    for i, step in enumerate(data["steps"]):
        at = f"steps.{i}"
        if step["approver_kind"] == "role":
            if not step["role"]:
                invalid[f"{at}.role"] = [_("choose the role that approves")]
            elif db.session.scalar(select(Role.id).where(Role.name == step["role"])) is None:
                invalid[f"{at}.role"] = [_("no role %(role)s", role=step["role"])]
            elif not active_holders(step["role"]):
                state[f"{at}.role"] = [
                    _(
                        "nobody active holds the role %(role)s: no one could approve",
                        role=step["role"],
                    )
                ]
        elif step["approver_kind"] in ("user", "users"):
            ids = step["user_ids"]
            if not ids or (step["approver_kind"] == "user" and len(ids) != 1):
                invalid[f"{at}.user_ids"] = [
                    _("name exactly one user")
                    if step["approver_kind"] == "user"
                    else _("name at least one user")
                ]
                continue
            active = set(
                db.session.scalars(
                    select(User.id).where(
                        User.id.in_(ids), User.active.is_(True), User.deleted_at.is_(None)
                    )
                )
            )
            missing = [str(i) for i in ids if i not in active]
            if missing:
                state[f"{at}.user_ids"] = [_("not an active user: %(ids)s", ids=", ".join(missing))]
    refuse(invalid, state=state)


def _check_condition(condition: dict, kind: Approvable) -> dict[str, list[str]]:
    name, op, value = condition["field"], condition["op"], condition["value"]
    if name not in kind.fields:
        known = ", ".join(sorted(kind.fields)) or "—"
        return {
            "condition.field": [
                _(
                    "%(type)s has no field %(field)s; one of: %(known)s",
                    type=kind.record_type,
                    field=name,
                    known=known,
                )
            ]
        }
    field_type = kind.fields[name]
    values = value if op == "in" else [value]
    if op == "in" and (not isinstance(value, list) or not value):
        return {"condition.value": [_("a list of values for “in”")]}
    if field_type in ("number", "percent"):
        numbers = [_number(v) for v in values]
        if any(n is None for n in numbers):
            return {"condition.value": [_("a number")]}
        if field_type == "percent" and any(not 0 <= n <= 100 for n in numbers if n is not None):
            return {"condition.value": [_("a percentage from 0 to 100")]}
    elif op in ORDERED:
        return {"condition.op": [_("%(field)s can only be compared with eq or in", field=name)]}
    elif any(not isinstance(v, str | int) or isinstance(v, bool) for v in values):
        return {"condition.value": [_("a text or a list of texts")]}
    return {}


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def active_holders(role_name: str) -> list[int]:
    """Ids of the active users who hold role ``role_name``."""
    return list(
        db.session.scalars(
            select(User.id)
            .join(Role, User.role_id == Role.id)
            .where(Role.name == role_name, User.active.is_(True), User.deleted_at.is_(None))
            .order_by(User.id)
        )
    )


def matches(condition: dict | None, record: Any, kind: Approvable) -> bool:
    """Whether ``record`` meets a flow's condition (``None``: every record)."""
    if not condition:
        return True
    actual = getattr(record, condition["field"], None)
    op, wanted = condition["op"], condition["value"]
    if kind.fields.get(condition["field"]) in ("number", "percent"):
        left = _number(actual)
        rights = [_number(v) for v in (wanted if op == "in" else [wanted])]
        if left is None:
            return False
        if op == "in":
            return left in rights
        right = rights[0]
        if right is None:
            return False
        return {
            "gt": left > right,
            "gte": left >= right,
            "lt": left < right,
            "lte": left <= right,
            "eq": left == right,
        }[op]
    text = "" if actual is None else str(getattr(actual, "value", actual))
    if op == "in":
        return text in [str(v) for v in wanted]
    return op == "eq" and text == str(wanted)


def choose_flow(record_type: str, record: Any) -> ApprovalFlow | None:
    """The active flow of lowest ``priority`` (then oldest) whose condition
    ``record`` meets; ``None`` when none does (the record needs no approval)."""
    kind = approvable(record_type)
    if kind is None:
        return None
    flows = db.session.scalars(
        select(ApprovalFlow)
        .where(
            ApprovalFlow.record_type == record_type,
            ApprovalFlow.active.is_(True),
            ApprovalFlow.deleted_at.is_(None),
        )
        .order_by(ApprovalFlow.priority, ApprovalFlow.id)
    )
    return next((f for f in flows if matches(f.condition, record, kind)), None)
