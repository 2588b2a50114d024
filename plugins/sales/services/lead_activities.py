"""Following a lead up before it is a customer: calls, e-mails, meetings,
notes and planned follow-ups (tasks), kept on core's timeline linked to
the lead. Converting the lead carries them onto the new customer's
timeline, so nothing said to a prospect is lost."""

from __future__ import annotations

from sqlalchemy import select, update

from core.api import (
    Activity,
    User,
    ValidationError,
    audit,
    db,
    log_activity,
    snapshot,
    transaction,
    translator,
)

from ..models import Lead

_, _l = translator("sales")
LINK = "sales_lead"
KINDS = ("call", "email", "meeting", "note", "task")


def activities(lead: Lead) -> list[Activity]:
    return list(
        db.session.scalars(
            select(Activity)
            .where(
                Activity.link_type == LINK,
                Activity.link_id == lead.id,
                Activity.deleted_at.is_(None),
            )
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
            .limit(200)
        )
    )


def follow_up(lead: Lead, payload: dict, actor: User | None) -> Activity:
    """Log a contact with the lead, or plan one (``kind`` task with ``due_at``);
    a new lead being followed up is now being worked."""
    kind = payload.get("kind")
    if kind not in KINDS:
        raise ValidationError({"kind": [_("one of: %(kinds)s", kinds=", ".join(KINDS))]})
    if kind == "task" and not payload.get("due_at"):
        raise ValidationError({"due_at": [_("say when the follow-up is due")]})
    with transaction():
        activity = log_activity(
            {
                "kind": kind,
                "subject": payload.get("subject"),
                "body": payload.get("body"),
                "due_at": payload.get("due_at") if kind == "task" else None,
                "direction": payload.get("direction") if kind == "call" else None,
                "customer_id": lead.customer_id,
                "owner_id": lead.owner_id if kind == "task" else None,
                "link_type": LINK,
                "link_id": lead.id,
            },
            actor,
        )
        if lead.status == "new":
            before = snapshot(lead)
            lead.status = "working"
            audit(actor, lead, "update", before, snapshot(lead))
    return activity


def carry_to_customer(lead: Lead, customer_id: int) -> None:
    """On conversion: the lead's history joins the customer's timeline."""
    db.session.execute(
        update(Activity)
        .where(
            Activity.link_type == LINK, Activity.link_id == lead.id, Activity.customer_id.is_(None)
        )
        .values(customer_id=customer_id)
    )
