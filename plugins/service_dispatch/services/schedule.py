"""Appointments (预约) and the engineers' schedule.

The dispatcher proposes a time when assigning; the engineer (or the
dispatcher) then agrees the actual time with the customer and records it
here — not a state change, so the state machine is untouched, but it is
versioned, audited and on the customer's timeline like one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import marshmallow
from marshmallow import Schema, fields
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import Forbidden

from core.api import (
    ConflictError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    load,
    snapshot,
    transaction,
    translator,
)

from ..models import OPEN_FOR_ENGINEER, WorkOrder
from . import dispatch
from .access import visible_orders
from .lifecycle import STATE_LABELS, timeline

_, _l = translator("service_dispatch")
#: an appointment is agreed while an engineer has the job and is not yet on site
SCHEDULABLE = ("assigned", "accepted", "on_the_way")
MAX_DAYS = 31
#: what ``plausible`` accepts, for the OpenAPI document: a date-time of the
#: years 2000 to 2100
PLAUSIBLE_PATTERN = r"^(20[0-9]{2}|2100)-"


def plausible(value: datetime) -> None:
    """Years 2000 to 2100: a typo such as year 0001 is named, not a crash."""
    if not 2000 <= value.year <= 2100:
        raise marshmallow.ValidationError(_("give a date between the years 2000 and 2100"))


class AppointmentInput(Schema):
    appointment_at = fields.AwareDateTime(
        required=True,
        allow_none=True,
        validate=plausible,
        metadata={"description": "the agreed time; null clears it"},
    )
    note = fields.String(allow_none=True, metadata={"description": "e.g. what the customer said"})


def may_schedule(user: User | None, order: WorkOrder) -> bool:
    """The order's own engineer or a dispatcher (``None``: the system)."""
    return (
        user is None
        or user.can("service.dispatch")
        or (user.can("service.engineer") and order.engineer_id == user.id)
    )


def set_appointment(
    order: WorkOrder, payload: dict, actor: User | None, expected_version: int | None = None
) -> WorkOrder:
    """Record the time agreed with the customer (one transaction): 403 for
    someone else's job, 409 when stale or the order is not with an engineer
    any more, 422 naming ``appointment_at`` for a missing time."""
    if not may_schedule(actor, order):
        raise Forbidden(_("Only the order's engineer or a dispatcher agrees its appointment."))
    data = load(AppointmentInput(), payload)
    check_version(order, expected_version)
    if order.status not in SCHEDULABLE:
        raise ConflictError(
            _(
                "An appointment is agreed while the order is assigned, accepted or on the way; "
                "it is %(state)s.",
                state=STATE_LABELS[order.status],
            ),
            kind="not-schedulable",
            title=_("Not possible in this state"),
            current_status=order.status,
        )
    note = (data.get("note") or "").strip()[:2000] or None
    with transaction():
        before = snapshot(order)
        order.appointment_at = data["appointment_at"]
        audit(actor, order, "appointment", before, snapshot(order))
        when = data["appointment_at"]
        subject = (
            _("%(number)s: appointment agreed", number=order.number)
            if when
            else _("%(number)s: appointment cleared", number=order.number)
        )
        timeline(order, actor, subject, note)
    return order


def require_time(value: str | None) -> str:
    """A time typed in the form (blank is an error there; the API may clear)."""
    if not value:
        raise ValidationError({"appointment_at": [_("Give the agreed date and time.")]})
    return value


def schedule(
    viewer: User, start: datetime, days: int, engineer_id: int | None = None
) -> list[WorkOrder]:
    """The open jobs with an appointment in ``[start, start + days)`` that
    ``viewer`` may see (an engineer: their own), by engineer then time."""
    days = max(1, min(days, MAX_DAYS))
    query = (
        visible_orders(viewer)
        .where(
            WorkOrder.status.in_(OPEN_FOR_ENGINEER),
            WorkOrder.appointment_at >= start,
            WorkOrder.appointment_at < start + timedelta(days=days),
        )
        .options(joinedload(WorkOrder.customer), joinedload(WorkOrder.engineer))
        .order_by(WorkOrder.engineer_id, WorkOrder.appointment_at, WorkOrder.id)
    )
    if engineer_id:
        query = query.where(WorkOrder.engineer_id == engineer_id)
    return list(db.session.scalars(query.limit(1000)))


def unscheduled(viewer: User, engineer_id: int | None = None) -> list[WorkOrder]:
    """Jobs with an engineer but no agreed time yet: to call the customer about."""
    query = (
        visible_orders(viewer)
        .where(WorkOrder.status.in_(SCHEDULABLE), WorkOrder.appointment_at.is_(None))
        .options(joinedload(WorkOrder.customer), joinedload(WorkOrder.engineer))
        .order_by(WorkOrder.created_at, WorkOrder.id)
    )
    if engineer_id:
        query = query.where(WorkOrder.engineer_id == engineer_id)
    return list(db.session.scalars(query.limit(200)))


def engineer_choices(viewer: User) -> list[tuple[int, str]]:
    """Whose schedule ``viewer`` may pick: every active engineer for a
    dispatcher, themselves for an engineer."""
    if viewer.can("service.dispatch"):
        return [(e.user_id, e.user.name) for e in dispatch.engineers(active_only=True)]
    return [(viewer.id, viewer.name)]
