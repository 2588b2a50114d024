"""The follow-up engine (跟进计划): one scheduler for every plugin.

A *rule* (core's, or a plugin's through ``trellis_followup_rules``) turns a
*plan* into :class:`~core.declarations.DueTask` items; :func:`run_due`
creates each as a task unless the plan already has one with that key. The
unique ``(plan_id, dedupe_key)`` constraint makes the job idempotent even if
two runs overlap. Cron calls it through ``trellis jobs run-due``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import cast

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError

from core.access import customer_live
from core.declarations import DueTask, FollowUpRule, RuleParam
from core.errors import ValidationError
from core.events import emit, transaction
from core.extensions import db
from core.i18n import _, _l
from core.models import Activity, Customer, FollowUpPlan, Grade, User, utcnow
from core.registry import current_registry
from core.schemas import FollowUpPlanInput
from core.services.activities import refresh_customer_dates
from core.services.base import audit, load, snapshot


def whole_days(params: dict, name: str, low: int, high: int, default: int | None = None) -> int:
    """A rule parameter that counts days; raises ``ValueError`` naming it."""
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(
            _(
                "%(name)s: a whole number of days from %(low)d to %(high)d",
                name=name,
                low=low,
                high=high,
            )
        )
    return value


def _interval_params(params: dict) -> dict:
    every = whole_days(params, "every_days", 1, 3650)
    grade = params.get("grade")
    if grade is not None and grade not in Grade.__members__:
        raise ValueError(_("grade: one of A, B, C, D"))
    return {"every_days": every, "grade": grade}


def _interval_due(plan: FollowUpPlan, now: datetime) -> Iterator[DueTask]:
    """Customers (of the plan's grade and team) not contacted for ``every_days``
    and with no open task: one task each, due now."""
    every = timedelta(days=plan.params["every_days"])
    has_open_task = (
        select(Activity.id)
        .where(
            Activity.customer_id == Customer.id,
            Activity.due_at.is_not(None),
            Activity.done_at.is_(None),
            Activity.deleted_at.is_(None),
        )
        .exists()
    )
    query = select(Customer.id, Customer.owner_id, Customer.last_contacted_at).where(
        Customer.deleted_at.is_(None),
        Customer.owner_id.is_not(None),
        ~has_open_task,
        (Customer.last_contacted_at.is_(None)) | (Customer.last_contacted_at <= now - every),
    )
    if plan.params.get("grade"):
        query = query.where(Customer.grade == Grade(plan.params["grade"]))
    if plan.team_id:
        query = query.where(Customer.team_id == plan.team_id)
    for customer_id, owner_id, last in db.session.execute(query.order_by(Customer.id)):
        period = (last or now).date().isoformat()
        yield DueTask(
            key=f"customer:{customer_id}:{period}",
            customer_id=customer_id,
            owner_id=owner_id,
            due_at=now,
            subject=_("Revisit: %(plan)s", plan=plan.name),
        )


CORE_RULES = [
    FollowUpRule(
        "customer_interval",
        _l("Every N days per customer grade"),
        _interval_due,
        _interval_params,
        params=(
            RuleParam("every_days", _l("Every how many days"), default=30),
            RuleParam(
                "grade",
                _l("Only customers of grade"),
                choices=tuple((g.value, g.value) for g in Grade),
                optional=True,
            ),
        ),
    )
]


def create_plan(payload: dict, actor: User | None) -> FollowUpPlan:
    """Create a follow-up plan: ``payload["rule"]`` names a registered
    ``FollowUpRule``, whose ``validate_params`` cleans ``payload["params"]``
    (an unknown rule or bad params is a ``ValidationError``). Audited."""
    data = load(FollowUpPlanInput(), payload)
    rule = current_registry().followup_rules.get(data["rule"])
    if rule is None:
        raise ValidationError({"rule": [_("unknown follow-up rule %(rule)r", rule=data["rule"])]})
    try:
        data["params"] = rule.validate_params(data["params"])
    except ValueError as exc:
        raise ValidationError({"params": [str(exc)]}) from None
    with transaction():
        plan = FollowUpPlan(**data)
        db.session.add(plan)
        audit(actor, plan, "create", None, snapshot(plan))
    return plan


def plans() -> list[FollowUpPlan]:
    return list(
        db.session.scalars(
            select(FollowUpPlan).where(FollowUpPlan.deleted_at.is_(None)).order_by(FollowUpPlan.id)
        )
    )


def set_active(plan: FollowUpPlan, active: bool, actor: User | None) -> FollowUpPlan:
    """Pause a plan (its tasks stop coming) or resume it."""
    with transaction():
        before = snapshot(plan)
        plan.active = bool(active)
        audit(actor, plan, "update", before, snapshot(plan))
    return plan


@dataclass
class RunReport:
    plans: int = 0
    created: int = 0
    existing: int = 0


def run_due(now: datetime | None = None) -> RunReport:
    """Create the due tasks of every active plan. Safe to run again at any time."""
    now = now or utcnow()
    report = RunReport()
    rules = current_registry().followup_rules
    plans = db.session.scalars(
        select(FollowUpPlan)
        .where(FollowUpPlan.active.is_(True), FollowUpPlan.deleted_at.is_(None))
        .order_by(FollowUpPlan.id)
    )
    for plan in list(plans):
        rule = rules.get(plan.rule)
        if rule is None:  # its plugin is disabled: the plan waits
            continue
        report.plans += 1
        dues = reachable(list(rule.due(plan, now)))
        for due in dues:
            if _create_task(plan, due):
                report.created += 1
            else:
                report.existing += 1
    return report


def not_to_contact(customer_ids: Iterable[int]) -> set[int]:
    """Of ``customer_ids``, those no one may reach out to, as the plugins say
    (``trellis_customers_not_to_contact``: a deceased patient, an opt-out)."""
    ids = sorted({i for i in customer_ids if i is not None})
    if not ids:
        return set()
    answers = current_registry().call("trellis_customers_not_to_contact", customer_ids=ids)
    return {int(i) for answer in answers if answer for i in answer}


def reachable(dues: list[DueTask]) -> list[DueTask]:
    """``dues`` without the tasks about customers no one may reach out to."""
    barred = not_to_contact(due.customer_id for due in dues if due.customer_id)
    return [due for due in dues if due.customer_id not in barred] if barred else dues


def _create_task(plan: FollowUpPlan, due: DueTask) -> bool:
    exists = db.session.scalar(
        select(Activity.id).where(and_(Activity.plan_id == plan.id, Activity.dedupe_key == due.key))
    )
    if exists:
        return False
    try:
        with transaction():
            task = Activity(
                kind="task",
                subject=due.subject,
                occurred_at=utcnow(),
                due_at=due.due_at,
                customer_id=due.customer_id,
                owner_id=due.owner_id,
                link_type=due.link_type,
                link_id=due.link_id,
                plan_id=plan.id,
                dedupe_key=due.key,
            )
            db.session.add(task)
            db.session.flush()
            if due.customer_id:
                refresh_customer_dates(due.customer_id)
            emit("activity_logged", activity=task)
    except IntegrityError:  # a concurrent run created it first
        return False
    return True


def due_list(
    user_ids: list[int],
    now: datetime | None = None,
    upcoming_days: int = 7,
    tz: tzinfo | None = None,
) -> dict[str, list[Activity]]:
    """Open tasks of the given users: ``overdue`` (due before now), ``today``
    (the rest of today) and ``upcoming``; "today" is the day in ``tz``, the
    user's time zone (UTC when not given)."""
    now = now or utcnow()
    local = now.astimezone(tz or UTC)
    end = (local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)).astimezone(
        UTC
    )
    rows = db.session.scalars(
        select(Activity)
        .where(
            Activity.owner_id.in_(user_ids),
            Activity.due_at.is_not(None),
            Activity.done_at.is_(None),
            Activity.deleted_at.is_(None),
            Activity.due_at < end + timedelta(days=upcoming_days),
            # a task on a customer in the recycle bin waits there with it
            Activity.customer_id.is_(None) | customer_live(Activity.customer_id),
        )
        .order_by(Activity.due_at, Activity.id)
    )
    out: dict[str, list[Activity]] = {"overdue": [], "today": [], "upcoming": []}
    for task in rows:
        due = cast(datetime, task.due_at)  # the query keeps tasks with a due date only
        key = "overdue" if due < now else "today" if due < end else "upcoming"
        out[key].append(task)
    return out


def open_tasks(rule: str, link_type: str, link_id: int) -> list[Activity]:
    """The open tasks that plans of the follow-up ``rule`` made about one
    record (``link_type``, ``link_id``: a work order, a policy …), oldest
    first — for a plugin that closes them when the record's step is done."""
    return list(
        db.session.scalars(
            select(Activity)
            .join(FollowUpPlan, FollowUpPlan.id == Activity.plan_id)
            .where(
                FollowUpPlan.rule == rule,
                Activity.link_type == link_type,
                Activity.link_id == link_id,
                Activity.due_at.is_not(None),
                Activity.done_at.is_(None),
                Activity.deleted_at.is_(None),
            )
            .order_by(Activity.id)
        )
    )
