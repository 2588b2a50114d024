"""The work order's state machine — the one place that moves an order.

``TRANSITIONS`` is the whole lifecycle: each action, the states it may start
from and the state it leads to. :func:`transition` is the only writer of
``WorkOrder.status``: it checks the version the caller read, the action's
permission and its input, stamps the action's time, keeps a history row,
writes the audit log and the customer's timeline, and fires the plugin's
events after the commit.
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate
from werkzeug.exceptions import Forbidden

from core.api import (
    Amount,
    StateMachine,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    emit,
    load,
    log_activity,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ..models import WorkOrder, WorkOrderEvent
from . import dispatch
from .stock import use_parts
from .validation import Id, Whole

_, _l = translator("service_dispatch")

#: action → (the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "assign": (("new", "declined", "reopened", "assigned", "accepted"), "assigned"),
    "accept": (("assigned",), "accepted"),
    "decline": (("assigned",), "declined"),
    "depart": (("accepted",), "on_the_way"),
    "check_in": (("on_the_way",), "on_site"),
    "complete": (("on_site",), "completed"),
    "close": (("completed",), "closed"),
    "reopen": (("completed", "closed"), "reopened"),
    "cancel": (("new", "assigned", "accepted", "declined", "reopened"), "cancelled"),
}
ACTIONS = tuple(TRANSITIONS)
#: the time each action stamps on the order
STAMPS = {
    "assign": "assigned_at",
    "accept": "accepted_at",
    "depart": "departed_at",
    "check_in": "checked_in_at",
    "complete": "completed_at",
    "close": "closed_at",
}
#: field work: the order's own engineer does it (a dispatcher may, for them)
FIELD_ACTIONS = frozenset({"accept", "decline", "depart", "check_in", "complete"})
PERMISSIONS = {
    "assign": "service.dispatch",
    "close": "service.order.write",
    "reopen": "service.order.write",
    "cancel": "service.order.write",
}

STATE_LABELS = {
    "new": _l("New"),
    "assigned": _l("Assigned"),
    "accepted": _l("Accepted"),
    "on_the_way": _l("On the way"),
    "on_site": _l("On site"),
    "completed": _l("Completed"),
    "closed": _l("Closed"),
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
    "reopened": _l("Reopened"),
}
ACTION_LABELS = {
    "create": _l("Create"),
    "assign": _l("Assign"),
    "accept": _l("Accept"),
    "decline": _l("Decline"),
    "depart": _l("On the way"),
    "check_in": _l("Check in"),
    "complete": _l("Complete"),
    "close": _l("Close"),
    "reopen": _l("Reopen"),
    "cancel": _l("Cancel"),
}


#: the lifecycle as core's state table: which action may start where
MACHINE = StateMachine(_l("work order"), TRANSITIONS, states=STATE_LABELS, actions=ACTION_LABELS)


def allowed_actions(status: str) -> list[str]:
    """The actions that may start from ``status``, in lifecycle order."""
    return MACHINE.allowed(status)


def may(user: User | None, order: WorkOrder, action: str) -> bool:
    """Whether ``user`` may take ``action`` on ``order`` (whatever its state).

    ``None`` is the system, which may do anything."""
    if user is None:
        return True
    if action in FIELD_ACTIONS:
        return user.can("service.dispatch") or (
            user.can("service.engineer") and order.engineer_id == user.id
        )
    return user.can(PERMISSIONS[action])


def actions_for(user: User | None, order: WorkOrder) -> list[str]:
    """What ``user`` may do to ``order`` now (the buttons on its page)."""
    return [a for a in allowed_actions(order.status) if may(user, order, a)]


# ------------------------------------------------------------------------- input


def _note(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=2000), allow_none=True, **kwargs)


class NoteInput(Schema):
    note = _note()


class ReasonInput(Schema):
    """Decline, reopen and cancel say why."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AssignInput(Schema):
    engineer_id = Id(required=True)
    appointment_at = fields.AwareDateTime(allow_none=True)
    override_reason = fields.String(allow_none=True, validate=validate.Length(max=300))
    note = _note()


class CompletionInput(Schema):
    """The completion report: what was wrong, what was done, and who confirmed it."""

    diagnosis = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    work_done = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    labour_minutes = Whole(load_default=0, validate=validate.Range(0, 100_000))
    charges = Amount(
        load_default=Decimal("0"), metadata={"description": "0 or more, two decimals at most"}
    )
    confirmed_by = fields.String(required=True, validate=validate.Length(min=1, max=120))
    checked_out_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "when the engineer left the site; default now"}
    )
    note = _note()
    parts = fields.List(
        fields.Dict(),
        load_default=list,
        metadata={
            "description": "parts used: [{part_id, quantity, location_id?}], taken from the "
            "engineer's van unless a location is named (see parts.UseLine)"
        },
    )


SCHEMAS = {
    "assign": AssignInput,
    "decline": ReasonInput,
    "reopen": ReasonInput,
    "cancel": ReasonInput,
    "complete": CompletionInput,
}


def _read(action: str, payload: dict) -> dict:
    data = load(SCHEMAS.get(action, NoteInput)(), payload)
    for key in ("reason", "note", "diagnosis", "work_done", "confirmed_by", "override_reason"):
        if isinstance(data.get(key), str):
            data[key] = data[key].strip() or None
    for key in ("reason", "diagnosis", "work_done", "confirmed_by"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("Field may not be blank.")]})
    return data


# --------------------------------------------------------------------- transition


def transition(
    order: WorkOrder,
    action: str,
    actor: User | None,
    payload: dict | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """Take ``action`` on ``order`` as ``actor`` (one transaction).

    Raises :class:`StaleVersionError` when ``expected_version`` is not the
    order's version (or another writer commits first), ``IllegalTransition``
    when the action cannot start from the order's state, ``ValidationError``
    for missing or wrong input, and ``Forbidden`` (403) when :func:`may` says no.
    """
    MACHINE.check_action(action)
    if not may(actor, order, action):
        raise Forbidden(
            _("You may not do this to the work order: %(action)s", action=ACTION_LABELS[action])
        )
    check_version(order, expected_version)
    target = MACHINE.move(order.status, action)
    data = _read(action, payload or {})
    now = utcnow()
    engineer = None
    if action == "assign":
        engineer = dispatch.check_assignment(
            order, data["engineer_id"], data.get("override_reason")
        )
    if action == "complete":
        _check_out_time(order, data, now)
    source = order.status
    with transaction():
        before = snapshot(order)
        _apply(order, action, data, engineer, now)
        order.status = target
        if action == "complete" and data["parts"]:
            use_parts(order, data["parts"], actor)
        db.session.add(
            WorkOrderEvent(
                work_order_id=order.id,
                action=action,
                from_status=source,
                to_status=target,
                user_id=actor.id if actor else None,
                at=now,
                note=_event_note(action, data),
            )
        )
        audit(actor, order, action, before, snapshot(order))
        timeline(
            order,
            actor,
            _(
                "%(number)s: %(from)s → %(to)s",
                number=order.number,
                **{"from": STATE_LABELS[source], "to": STATE_LABELS[target]},
            ),
            _event_note(action, data),
        )
        if action == "assign":
            emit("service_dispatch_work_order_assigned", order=order, engineer=engineer.user)
        elif action in ("complete", "close"):
            emit(f"service_dispatch_work_order_{action}d", order=order)
    return order


def _apply(order: WorkOrder, action: str, data: dict, engineer, now) -> None:
    if action in STAMPS:
        setattr(order, STAMPS[action], now)
    if action == "accept" and order.responded_at is None:
        order.responded_at = now
    if action == "assign":
        order.engineer_id = engineer.user_id
        order.team_id = engineer.user.team_id or order.team_id
        order.accepted_at = order.departed_at = None
        order.override_note = data.get("override_reason")
        if "appointment_at" in data:
            order.appointment_at = data["appointment_at"]
    elif action == "complete":
        for key in ("diagnosis", "work_done", "labour_minutes", "charges", "confirmed_by"):
            setattr(order, key, data[key])
        order.checked_out_at = data.get("checked_out_at") or now
    elif action == "reopen":
        order.closed_at = None
        order.reopen_count = (order.reopen_count or 0) + 1  # not a first-time fix (reports)


def _check_out_time(order: WorkOrder, data: dict, now) -> None:
    """Check-out is after check-in and not in the future."""
    out = data.get("checked_out_at") or now
    if order.checked_in_at is None or out < order.checked_in_at:
        raise ValidationError({"checked_out_at": [_("check-out cannot be before check-in")]})
    if out > now:
        raise ValidationError({"checked_out_at": [_("check-out cannot be in the future")]})


def _event_note(action: str, data: dict) -> str | None:
    if action == "assign" and data.get("override_reason"):
        override = _("Override: %(reason)s", reason=data["override_reason"])
        return f"{override}\n{data['note']}" if data.get("note") else override
    return data.get("reason") or data.get("note")


def timeline(order: WorkOrder, actor: User | None, subject: str, body: str | None) -> None:
    """The customer's timeline, linked back to the order."""
    contact = order.contact if order.contact and order.contact.deleted_at is None else None
    log_activity(
        {
            "kind": "work_order",
            "subject": subject[:200],
            "body": body,
            "customer_id": order.customer_id,
            "contact_id": contact.id if contact else None,
            "link_type": WorkOrder.__tablename__,
            "link_id": order.id,
        },
        actor,
    )
