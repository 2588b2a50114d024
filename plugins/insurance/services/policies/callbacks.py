"""Callbacks (回访): after a term is issued on a product that requires it,
someone calls the policyholder to confirm they understood what they bought
— within the cooling-off period (犹豫期), while they may still cancel for
a full refund.

The follow-up rule ``insurance_callback`` (parameter ``days_after_issue``,
default 3) gives the term's agent a task on each issued term of such a
product not yet called back, due ``days_after_issue`` days after the issue
and at the latest the day before the cooling-off ends. Terms issued more
than :data:`LOOK_BACK_DAYS` ago are left out (their callback was missed;
the compliance report counts it).

:func:`record_callback` stores the outcome (``CALLBACK_OUTCOMES``:
confirmed, wants_cancel, unreachable, complaint) with a note, logs it on
the policyholder's timeline and completes the open callback task. A
policyholder who wants to cancel is offered the cooling-off cancellation on
the policy's page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.api import (
    DueTask,
    FollowUpPlan,
    User,
    audit,
    check_version,
    complete_task,
    db,
    instance_timezone,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
    whole_days,
)

from ...models import CALLBACK_OUTCOMES, LIVE_STATES, InsuranceProduct, Policy
from .journal import log_policy
from .renewals import open_tasks

_, _l = translator("insurance")

RULE = "insurance_callback"
DEFAULT_DAYS = 3
#: how far back the rule looks for terms issued and not called back
LOOK_BACK_DAYS = 90
#: the hour of the due day a callback task is due (instance time)
DUE_HOUR = 9
CALLBACK_OUTCOME_LABELS = {
    "confirmed": _l("Confirmed"),
    "wants_cancel": _l("Wants to cancel"),
    "unreachable": _l("Could not be reached"),
    "complaint": _l("Complaint"),
}


def callback_params(params: dict) -> dict:
    return {"days_after_issue": whole_days(params, "days_after_issue", 0, 60, default=DEFAULT_DAYS)}


def due_on(issued_on: date, cooling_off_ends_on: date | None, days_after_issue: int) -> date:
    """The day a callback is due: ``days_after_issue`` after the issue, at
    the latest the day before the cooling-off ends (never before the issue)."""
    due = issued_on + timedelta(days=days_after_issue)
    if cooling_off_ends_on is not None:
        due = min(due, cooling_off_ends_on - timedelta(days=1))
    return max(due, issued_on)


def callback_due(plan: FollowUpPlan, now: datetime) -> Iterator[DueTask]:
    """One callback task per issued term of a product requiring it, not yet
    called back, for the term's agent."""
    days_after = plan.params.get("days_after_issue", DEFAULT_DAYS)
    zone = ZoneInfo(instance_timezone())
    since = now.astimezone(zone).date() - timedelta(days=LOOK_BACK_DAYS)
    query = (
        select(
            Policy.id,
            Policy.number,
            Policy.customer_id,
            Policy.agent_id,
            Policy.issued_on,
            Policy.cooling_off_ends_on,
        )
        .join(InsuranceProduct, InsuranceProduct.id == Policy.product_id)
        .where(
            InsuranceProduct.callback_required.is_(True),
            Policy.status.in_(LIVE_STATES),
            Policy.deleted_at.is_(None),
            Policy.issued_on.is_not(None),
            Policy.issued_on >= since,
            Policy.callback_done_at.is_(None),
        )
        .order_by(Policy.issued_on, Policy.id)
    )
    if plan.team_id:
        query = query.where(Policy.team_id == plan.team_id)
    for policy_id, number, customer_id, agent_id, issued_on, cooling_off in db.session.execute(
        query
    ):
        assert issued_on is not None  # the query keeps issued terms only
        due = due_on(issued_on, cooling_off, days_after)
        yield DueTask(
            key=f"callback:{policy_id}",
            customer_id=customer_id,
            owner_id=agent_id,
            due_at=datetime.combine(due, time(DUE_HOUR), zone),
            subject=_("Callback: %(number)s", number=number),
            link_type=Policy.__tablename__,
            link_id=policy_id,
        )


def record_callback(
    policy: Policy,
    actor: User | None,
    outcome: str | None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Policy:
    """Store the callback's ``outcome`` and ``note`` (422 ``outcome``; a
    term not issued: 422 ``policy_id``), log it and complete its task."""
    if outcome not in CALLBACK_OUTCOMES:
        refuse({"outcome": [_("choose how the callback went")]})
    assert outcome is not None  # refused above
    if policy.issued_on is None:
        refuse({"policy_id": [_("the policy is not issued yet")]})
    text = (note or "").strip()
    if len(text) > 2000:
        refuse({"note": [_("at most 2,000 characters")]})
    check_version(policy, expected_version)
    label = str(CALLBACK_OUTCOME_LABELS[outcome])
    with transaction():
        before = snapshot(policy)
        policy.callback_done_at = utcnow()
        policy.callback_outcome = outcome
        db.session.flush()
        audit(actor, policy, "callback", before, snapshot(policy))
        log_policy(
            policy,
            actor,
            _(
                "Callback on policy %(number)s: %(outcome)s",
                number=policy.display_number,
                outcome=label,
            ),
            text or None,
        )
        for task in open_tasks(policy, RULE):
            complete_task(task, actor, outcome=label[:32])
    return policy


def offers_cancel(policy: Policy, on: date) -> bool:
    """Should the page offer the cooling-off cancellation after the callback?"""
    return (
        policy.callback_outcome == "wants_cancel"
        and policy.cooling_off_ends_on is not None
        and on <= policy.cooling_off_ends_on
        and policy.status in LIVE_STATES
    )
