"""Complaints (投诉): recorded at the desk, on the phone, by letter or from
a survey; handled open → in_progress → resolved → closed (resolved may be
reopened). Resolving and closing need a resolution. Every step is audited
and written on the patient's timeline."""

from __future__ import annotations

from sqlalchemy import Select, select

from core.api import (
    Customer,
    MissingReferenceError,
    NotFoundError,
    StateMachine,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    load,
    log_activity,
    scoped,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Department, Visit
from ...models.feedback import Complaint
from .inputs import ComplaintInput, ComplaintMoveInput

_, _l = translator("his")

COMPLAINT_STATE_LABELS = {
    "open": _l("Awaiting handling"),
    "in_progress": _l("In progress"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
COMPLAINT = StateMachine(
    _l("complaint"),
    {
        "start": (("open",), "in_progress"),
        "resolve": (("open", "in_progress"), "resolved"),
        "reopen": (("resolved",), "in_progress"),
        "close": (("open", "in_progress", "resolved"), "closed"),
    },
    states=COMPLAINT_STATE_LABELS,
    actions={
        "start": _l("Start handling"),
        "resolve": _l("Resolve"),
        "reopen": _l("Reopen"),
        "close": _l("Close"),
    },
)
CATEGORY_LABELS = {
    "service_attitude": _l("Service attitude"),
    "waiting_time": _l("Waiting time"),
    "billing": _l("Billing"),
    "medical_care": _l("Medical care"),
    "environment": _l("Environment"),
    "other": _l("Other"),
}
CHANNEL_LABELS = {
    "desk": _l("At the desk"),
    "phone": _l("Phone"),
    "online": _l("Online"),
    "letter": _l("Letter"),
    "survey": _l("Survey"),
}
#: the actions that need a resolution, given with them or before
NEED_RESOLUTION = ("resolve", "close")


def visible_complaints(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: every complaint) restricted to what ``user``
    sees: a doctor or nurse their department's (team scope), the desk all."""
    query = select(Complaint) if query is None else query
    return scoped(query, Complaint, user, owner_attr="handler_id", customer_attr="customer_id")


def visible_complaint(complaint_id: int, user: User | None) -> Complaint:
    found = db.session.scalar(visible_complaints(user).where(Complaint.id == complaint_id))
    if found is None:
        raise NotFoundError(_("complaint %(id)s not found", id=complaint_id))
    return found


def create_complaint(payload: object, actor: User | None) -> Complaint:
    """Record a complaint of a patient (``customer_id``), optionally about
    a visit (whose department it then takes) or a department."""
    data = load(ComplaintInput(), payload)
    customer = db.session.get(Customer, data["customer_id"])
    if customer is None or customer.deleted_at is not None:
        raise MissingReferenceError({"customer_id": [_("no patient with this id")]})
    department_id = data.get("department_id")
    if data.get("visit_id") is not None:
        visit = db.session.get(Visit, data["visit_id"])
        if visit is None or visit.customer_id != customer.id:
            raise MissingReferenceError({"visit_id": [_("no visit of this patient with this id")]})
        department_id = department_id or visit.department_id
    department = db.session.get(Department, department_id) if department_id else None
    if department_id and department is None:
        raise MissingReferenceError({"department_id": [_("no department with this id")]})
    _check_handler(data.get("handler_id"))
    with transaction():
        complaint = Complaint(
            customer_id=customer.id,
            visit_id=data.get("visit_id"),
            department_id=department_id,
            team_id=department.team_id if department else None,
            category=data["category"],
            channel=data["channel"],
            description=data["description"].strip(),
            handler_id=data.get("handler_id"),
            status="open",
            received_at=data.get("received_at") or utcnow(),
        )
        db.session.add(complaint)
        db.session.flush()
        audit(actor, complaint, "create", None, snapshot(complaint))
        _on_timeline(complaint, actor)
    return complaint


def move_complaint(complaint: Complaint, payload: object, actor: User | None) -> Complaint:
    """Take a step of the complaint's handling (``action``); a step its
    state does not allow is a 409, resolving or closing without a
    resolution a 422 naming ``resolution``; a stale ``version`` a 409."""
    data = load(ComplaintMoveInput(), payload)
    action = data["action"]
    target = COMPLAINT.move(complaint.status, action)
    resolution = (data.get("resolution") or "").strip() or complaint.resolution
    if action in NEED_RESOLUTION and not resolution:
        raise ValidationError({"resolution": [_("say how the complaint was resolved")]})
    _check_handler(data.get("handler_id"))
    check_version(complaint, data.get("version"))
    with transaction():
        before = snapshot(complaint)
        complaint.status = target
        complaint.resolution = resolution
        now = utcnow()
        if action == "start":
            complaint.handler_id = data.get("handler_id") or complaint.handler_id or actor_id(actor)
        elif action == "resolve":
            complaint.resolved_at = now
        elif action == "reopen":
            complaint.resolved_at = None
        elif action == "close":
            complaint.closed_at = now
            complaint.resolved_at = complaint.resolved_at or now
        db.session.flush()
        audit(actor, complaint, action, before, snapshot(complaint))
        _on_timeline(complaint, actor)
    return complaint


def actor_id(actor: User | None) -> int | None:
    return actor.id if actor else None


def _check_handler(handler_id: int | None) -> None:
    if handler_id is not None and db.session.get(User, handler_id) is None:
        raise MissingReferenceError({"handler_id": [_("no user with this id")]})


def _on_timeline(complaint: Complaint, actor: User | None) -> None:
    """A line on the patient's timeline: the complaint's category and state."""
    subject = _(
        "Complaint (%(category)s): %(state)s",
        category=CATEGORY_LABELS[complaint.category],
        state=COMPLAINT_STATE_LABELS[complaint.status],
    )
    log_activity(
        {"kind": "his_complaint", "subject": subject[:200], "customer_id": complaint.customer_id},
        actor,
    )
