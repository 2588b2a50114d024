"""Revisits (回访): after a job is done, someone asks the customer how it went.

The rule ``service_revisit`` of core's follow-up engine turns each order
completed at least ``after_days`` ago, and not yet revisited, into a task
for the customer's owner. :func:`record_revisit` stores the customer's
score (1–5) and comment, completes that task, and acts on the score:

- a score at or below the plan's ``low_score`` (default 2) is a complaint:
  ``on_low_score`` ``reopen`` (the default) reopens the order for another
  visit, ``escalate`` marks it escalated and urgent and fires
  ``service_dispatch_revisit_low_score`` for whoever handles complaints;
- any other score on a ``completed`` order closes it — the revisit is the
  last step of the job, so a satisfied customer needs nobody to click "close".

The plan whose task the revisit completes gives the parameters (else the
first active ``service_revisit`` plan, else the defaults). Everything,
including the reopen or close, is one transaction: if any step is refused,
no revisit is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from core.api import (
    Activity,
    ConflictError,
    Customer,
    DueTask,
    FollowUpPlan,
    User,
    audit,
    check_version,
    complete_task,
    db,
    emit,
    load,
    open_followup_tasks,
    snapshot,
    transaction,
    translator,
    utcnow,
    whole_days,
)

from ..models import Revisit, WorkOrder
from . import lifecycle
from .validation import Whole

_, _l = translator("service_dispatch")
RULE = "service_revisit"
ON_LOW_SCORE = ("reopen", "escalate")
DEFAULTS = {"after_days": 0, "low_score": 2, "on_low_score": "reopen"}
#: states in which an order can be revisited
REVISITABLE = ("completed", "closed")
OUTCOME_LABELS = {"none": _l("No action"), "reopened": _l("Reopened"), "escalated": _l("Escalated")}


def revisit_params(params: dict) -> dict:
    """``after_days`` (0–365), ``low_score`` (1–4, default 2) and
    ``on_low_score`` (``reopen`` or ``escalate``, default ``reopen``)."""
    low = params.get("low_score", DEFAULTS["low_score"])
    if isinstance(low, bool) or not isinstance(low, int) or not 1 <= low <= 4:
        raise ValueError(_("low_score: a whole number from 1 to 4"))
    action = params.get("on_low_score", DEFAULTS["on_low_score"])
    if action not in ON_LOW_SCORE:
        raise ValueError(_("on_low_score: one of %(choices)s", choices=", ".join(ON_LOW_SCORE)))
    return {
        "after_days": whole_days(params, "after_days", 0, 365),
        "low_score": low,
        "on_low_score": action,
    }


def revisit_due(plan: FollowUpPlan, now: datetime) -> Iterator[DueTask]:
    """One revisit per work order completed at least ``after_days`` ago and
    not revisited yet, for the customer's owner (or the engineer when the
    customer is in the pool)."""
    cutoff = now - timedelta(days=plan.params.get("after_days", 0))
    revisited = exists().where(Revisit.work_order_id == WorkOrder.id)
    rows = db.session.execute(
        select(
            WorkOrder.id,
            WorkOrder.number,
            WorkOrder.customer_id,
            WorkOrder.engineer_id,
            Customer.owner_id,
        )
        .join(Customer, Customer.id == WorkOrder.customer_id)
        .where(
            WorkOrder.status.in_(REVISITABLE),
            WorkOrder.completed_at <= cutoff,
            WorkOrder.deleted_at.is_(None),
            Customer.deleted_at.is_(None),
            ~revisited,
        )
        .order_by(WorkOrder.id)
    )
    for order_id, number, customer_id, engineer_id, owner_id in rows:
        yield DueTask(
            key=f"work_order:{order_id}",
            customer_id=customer_id,
            owner_id=owner_id or engineer_id,
            due_at=now,
            subject=_("Revisit: %(number)s", number=number),
            link_type=WorkOrder.__tablename__,
            link_id=order_id,
        )


class RevisitInput(Schema):
    score = Whole(
        required=True,
        validate=validate.Range(1, 5),
        metadata={"description": "the customer's satisfaction, 1 (bad) to 5 (very good)"},
    )
    comment = fields.String(allow_none=True, validate=validate.Length(max=2000))


def open_tasks(order: WorkOrder) -> list[Activity]:
    """The order's open revisit tasks (one per plan that made one)."""
    return open_followup_tasks(RULE, WorkOrder.__tablename__, order.id)


def params_for(tasks: list[Activity]) -> dict:
    """The parameters of the plan behind the first task, else of the first
    active revisit plan, else the defaults."""
    query = select(FollowUpPlan).where(FollowUpPlan.rule == RULE, FollowUpPlan.deleted_at.is_(None))
    if tasks:
        query = query.where(FollowUpPlan.id == tasks[0].plan_id)
    else:
        query = query.where(FollowUpPlan.active.is_(True))
    plan = db.session.scalars(query.order_by(FollowUpPlan.id).limit(1)).first()
    return {**DEFAULTS, **(plan.params if plan else {})}


def revisit_of(order: WorkOrder) -> Revisit | None:
    return db.session.scalar(select(Revisit).where(Revisit.work_order_id == order.id))


def record_revisit(
    order: WorkOrder,
    score,
    comment: str | None,
    actor: User | None,
    expected_version: int | None = None,
) -> Revisit:
    """Store the customer's score and comment on a completed or closed order
    (once: a second revisit is a 409, as is an order not finished yet), complete
    its revisit task, and reopen, escalate or close the order as the score says."""
    data = load(RevisitInput(), {"score": score, "comment": comment})
    comment = (data.get("comment") or "").strip() or None
    check_version(order, expected_version)
    if order.status not in REVISITABLE:
        raise ConflictError(
            _(
                "A work order can be revisited once it is completed or closed; it is %(state)s.",
                state=lifecycle.STATE_LABELS[order.status],
            ),
            kind="not-revisitable",
            title=_("Not possible in this state"),
            current_status=order.status,
        )
    if revisit_of(order) is not None:
        raise _already(order)
    tasks = open_tasks(order)
    params = params_for(tasks)
    low = data["score"] <= params["low_score"]
    try:
        with transaction():
            revisit = Revisit(
                work_order_id=order.id,
                score=data["score"],
                comment=comment,
                user_id=actor.id if actor else None,
                at=utcnow(),
            )
            db.session.add(revisit)
            db.session.flush()
            audit(actor, revisit, "create", None, snapshot(revisit))
            lifecycle.timeline(
                order,
                actor,
                _(
                    "%(number)s: revisit, score %(score)d of 5",
                    number=order.number,
                    score=data["score"],
                ),
                comment,
            )
            for task in tasks:
                complete_task(task, actor)
            if low and params["on_low_score"] == "reopen":
                revisit.outcome = "reopened"
                lifecycle.transition(order, "reopen", None, {"reason": _low_reason(revisit)})
            elif low:
                revisit.outcome = "escalated"
                escalate(order, revisit, actor)
            elif order.status == "completed":
                lifecycle.transition(
                    order,
                    "close",
                    None,
                    {"note": _("Closed after the revisit (score %(score)d).", score=revisit.score)},
                )
    except IntegrityError:  # another revisit of the order was stored first
        raise _already(order) from None
    return revisit


def escalate(order: WorkOrder, revisit: Revisit, actor: User | None) -> None:
    """A low score that does not reopen: the order becomes urgent and escalated."""
    before = snapshot(order)
    order.escalated_at, order.priority = utcnow(), "urgent"
    audit(actor, order, "escalate", before, snapshot(order))
    lifecycle.timeline(
        order,
        actor,
        _("%(number)s escalated after a low revisit score", number=order.number),
        _low_reason(revisit),
    )
    emit("service_dispatch_revisit_low_score", order=order, revisit=revisit)


def _low_reason(revisit: Revisit) -> str:
    reason = _("Low revisit score: %(score)d of 5", score=revisit.score)
    return (f"{reason}\n{revisit.comment}" if revisit.comment else reason)[:2000]


def _already(order: WorkOrder) -> ConflictError:
    return ConflictError(
        _("%(number)s has already been revisited.", number=order.number),
        kind="already-revisited",
        title=_("Already revisited"),
    )
