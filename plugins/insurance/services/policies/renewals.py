"""Renewals (续保): the terms coming up for renewal, a renewal lost, the end
of a term not renewed, and the yearly continuation of level-premium life
policies (the next term's quote and the one-step renewal are in
:mod:`.successors`).

- **Due list** (:func:`due_query`): terms in force or in grace ending from
  today to today + N days (N = ``within``, default each product's
  ``renewal_lead_days``), plus terms that expired no more than the
  product's ``renewal_late_days`` ago — leaving out those marked lost and
  those whose next term went beyond a draft (quoted, bound or issued). In
  the user's scope. Read through the renewal indexes over one window of end
  dates (every product's late days back to the most lead days ahead), the
  next term through the unique successor index.
- **Renewal quote, renew**: the next term, in :mod:`.successors`.
- **Lost** (:func:`mark_lost`): ``renewal_outcome`` = lost with a reason
  (``LOST_REASONS``, required) and a note; it leaves the due list and still
  expires at its end.
- **Expire** (:func:`expire_due`, called by the nightly job): terms in
  force whose end date has passed with no issued successor become
  ``expired``, by set-based updates of 1,000 ids, each batch one
  transaction; an audit entry per term (no actor). Running it again
  changes nothing.
- **Continue**: the yearly continuation of auto-renewing life terms, in
  :mod:`.successors`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, literal_column, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType

from core.api import (
    Activity,
    ConflictError,
    User,
    audit,
    check_version,
    complete_task,
    db,
    open_followup_tasks,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import LIVE_STATES, LOST_REASONS, InsuranceProduct, Policy
from ..access import visible_policies
from ..states import POLICY
from .journal import log_policy

_, _l = translator("insurance")

#: a successor in one of these states does not take its predecessor off the due list
NOT_TAKEN = ("draft", "cancelled")
#: a successor that may still be re-priced and reused by another renewal quote
OPEN_QUOTE = ("draft", "quoted", "bound")
#: the rule of core's follow-up engine that reminds the agent of a renewal
RENEWAL_RULE = "insurance_renewal"
BATCH = 1000


# -- the due list -----------------------------------------------------------------

#: the states of a term on the due list (the condition of the partial
#: indexes ``ix_insurance_policy_renewal`` and ``…_agent_renewal``)
RENEWABLE = (*LIVE_STATES, "expired")


def _inline(*values: str) -> list:
    """``values`` written into the SQL, not bound: SQLite uses a partial
    index only when the query repeats its condition's literals."""
    return [literal_column(f"'{value}'") for value in values]


def _no_open_successor(where: Callable[[Any], ColumnElement[bool]]) -> ColumnElement[bool]:
    """No successor of the row of :class:`Policy`, neither cancelled nor
    deleted, for which ``where(successor)`` holds — looked up by the partial
    unique index ``uq_insurance_policy_predecessor``, whose condition it
    repeats: one key per term on both databases, whatever the planner's
    statistics (without it SQLite read the whole table for every term)."""
    successor = aliased(Policy)
    return ~(
        select(successor.id)
        .where(
            successor.predecessor_id == Policy.id,
            successor.predecessor_id.is_not(None),
            successor.status != literal_column("'cancelled'"),
            successor.deleted_at.is_(None),
            where(successor),
        )
        .exists()
    )


def _product_days() -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The product ids by their lead days and by their late days (> 0):
    few distinct values."""
    leads: dict[int, list[int]] = defaultdict(list)
    lates: dict[int, list[int]] = defaultdict(list)
    for product_id, lead, late in db.session.execute(
        select(
            InsuranceProduct.id,
            InsuranceProduct.renewal_lead_days,
            InsuranceProduct.renewal_late_days,
        )
    ):
        leads[int(lead or 0)].append(product_id)
        if int(late or 0) > 0:
            lates[int(late)].append(product_id)
    return leads, lates


class _Selective(FunctionElement):
    """A condition that few rows meet: ``likelihood(condition, 0.01)`` for
    SQLite's planner (which otherwise reads a manager's terms customer by
    customer, ten times slower than the renewal index), the condition alone
    elsewhere."""

    type = NullType()  # as written: no "= 1" of a boolean on SQLite
    inherit_cache = True
    name = "likelihood"


@compiles(_Selective)
def _selective_anywhere(element: _Selective, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(list(element.clauses)[0], **kw)})"


@compiles(_Selective, "sqlite")
def _selective_sqlite(element: _Selective, compiler: Any, **kw: Any) -> str:
    return f"likelihood({compiler.process(list(element.clauses)[0], **kw)}, 0.01)"


def _window(on: date, ahead: int, back: int) -> tuple[ColumnElement[bool], ...]:
    """The terms that may be due: renewable (the partial indexes' condition)
    and ending from ``back`` days before ``on`` to ``ahead`` days after."""
    return (
        Policy.status.in_(_inline(*RENEWABLE)),
        Policy.deleted_at.is_(None),
        _Selective(
            Policy.end_date.between(
                on - timedelta(days=max(back, 0)), on + timedelta(days=max(ahead, 0))
            )
        ),
    )


def due_query(
    user: User | None, on: date, *, within: int | None = None, agent_id: int | None = None
) -> Select:
    """The terms due for renewal on ``on`` that ``user`` may see (see the
    module's docstring); the caller orders them.

    The window of every product's end dates (:func:`_window`) lets both
    databases read the renewal index; the per-product conditions are the
    exact filter."""
    leads, lates = _product_days()
    if within is not None:
        ahead = within
        ending = Policy.end_date <= on + timedelta(days=within)
    else:
        ahead = max(leads, default=0)
        ending = or_(
            false(),
            *(
                and_(Policy.product_id.in_(ids), Policy.end_date <= on + timedelta(days=lead))
                for lead, ids in leads.items()
            ),
        )
    late = or_(
        false(),
        *(
            and_(Policy.product_id.in_(ids), Policy.end_date >= on - timedelta(days=days))
            for days, ids in lates.items()
        ),
    )
    query = visible_policies(user).where(
        *_window(on, ahead, max(lates, default=0)),
        Policy.renewal_outcome.is_(None),
        or_(
            and_(Policy.status.in_(LIVE_STATES), Policy.end_date >= on, ending),
            and_(Policy.status == "expired", Policy.end_date < on, late),
        ),
        _no_open_successor(lambda successor: successor.status.not_in(_inline(*NOT_TAKEN))),
    )
    if agent_id is not None:
        query = query.where(Policy.agent_id == agent_id)
    return query


def due_agent_ids(user: User | None, on: date, *, within: int | None = None) -> Select:
    """The agents of the terms ``user`` may see in the due list's window
    (the agent filter of the Renewals page): read from the renewal index
    alone, so it may name an agent whose terms there are all lost, renewed
    or past their own product's days."""
    leads, lates = _product_days()
    ahead = within if within is not None else max(leads, default=0)
    window = _window(on, ahead, max(lates, default=0))
    return visible_policies(user, select(Policy.agent_id).where(*window)).distinct()


def successor_of(policy: Policy) -> Policy | None:
    """The next term of ``policy`` (there is at most one not cancelled)."""
    return db.session.scalar(
        select(Policy).where(
            Policy.predecessor_id == policy.id,
            Policy.status != "cancelled",
            Policy.deleted_at.is_(None),
        )
    )


def change_percent(old: Decimal, new: Decimal) -> Decimal | None:
    """The premium's change in percent, one decimal (None from nothing)."""
    if not old:
        return None
    return (Decimal(new - old) * 100 / old).quantize(Decimal("0.1"))


def renewable(policy: Policy, on: date) -> bool:
    """May a renewal quote be made of ``policy`` on ``on``?"""
    if policy.status in LIVE_STATES:
        return True
    if policy.status != "expired":
        return False
    product = db.session.get(InsuranceProduct, policy.product_id)
    late = product.renewal_late_days if product is not None else 0
    return on <= policy.end_date + timedelta(days=late)


def not_renewable(policy: Policy) -> ConflictError:
    return ConflictError(
        _(
            "Policy %(number)s is %(state)s and cannot be renewed.",
            number=policy.display_number,
            state=POLICY.state_label(policy.status),
        ),
        kind="not-renewable",
        title=_("Not renewable"),
    )


# -- lost ---------------------------------------------------------------------------


def mark_lost(
    policy: Policy,
    actor: User | None,
    lost_reason: str | None,
    lost_note: str | None = None,
    expected_version: int | None = None,
) -> Policy:
    """Record that ``policy`` will not be renewed, and why (422
    ``lost_reason``); its open renewal task is done with it."""
    if policy.status not in (*LIVE_STATES, "expired") or _has_taken_successor(policy):
        raise not_renewable(policy)
    if lost_reason not in LOST_REASONS:
        refuse({"lost_reason": [_("choose why the renewal was lost")]})
    assert lost_reason is not None  # refused above
    note = (lost_note or "").strip()
    if len(note) > 500:
        refuse({"lost_note": [_("at most 500 characters")]})
    check_version(policy, expected_version)
    with transaction():
        before = snapshot(policy)
        policy.renewal_outcome = "lost"
        policy.lost_reason = lost_reason
        policy.lost_note = note or None
        audit(actor, policy, "lost", before, snapshot(policy))
        log_policy(
            policy,
            actor,
            _(
                "Renewal of policy %(number)s lost: %(reason)s",
                number=policy.display_number,
                reason=str(LOST_REASON_LABELS[lost_reason]),
            ),
            note or None,
        )
        for task in open_tasks(policy, RENEWAL_RULE):
            complete_task(task, actor, outcome=str(LOST_REASON_LABELS[lost_reason])[:32])
    return policy


LOST_REASON_LABELS = {
    "price": _l("Price"),
    "service": _l("Service"),
    "competitor": _l("Went to a competitor"),
    "not_needed": _l("No longer needed"),
    "unreachable": _l("Could not be reached"),
    "other": _l("Other"),
}


def _has_taken_successor(policy: Policy) -> bool:
    successor = successor_of(policy)
    return successor is not None and successor.status not in NOT_TAKEN


def open_tasks(policy: Policy, rule: str) -> list[Activity]:
    """``policy``'s open tasks made by plans of the follow-up ``rule``."""
    return open_followup_tasks(rule, Policy.__tablename__, policy.id)


# -- the jobs ---------------------------------------------------------------------


def expiring(on: date) -> list[int]:
    """The ids of the terms in force that ended before ``on`` with no issued
    successor, by id: the ended terms first, then the issued successors of
    1,000 of them at a time — plain reads on both databases, whatever the
    planners' statistics (as one query with a correlated look-up, SQLite
    read the whole table for every ended term, and PostgreSQL, expecting
    thousands of ended terms, walked every successor)."""
    ended = list(
        db.session.scalars(
            select(Policy.id)
            .where(Policy.status == "in_force", Policy.deleted_at.is_(None), Policy.end_date < on)
            .order_by(Policy.id)
        )
    )
    successor = aliased(Policy)
    renewed: set[int] = set()
    for start in range(0, len(ended), BATCH):
        renewed.update(
            db.session.scalars(
                select(successor.predecessor_id).where(
                    successor.predecessor_id.in_(ended[start : start + BATCH]),
                    successor.issued_on.is_not(None),
                )
            )
        )
    return [policy_id for policy_id in ended if policy_id not in renewed]


def expire_due(on: date) -> int:
    """Expire the terms in force that ended before ``on`` with no issued
    successor (:func:`expiring`); returns how many. Batches of 1,000 ids,
    one transaction each."""
    due = expiring(on)
    done = 0
    for start in range(0, len(due), BATCH):
        ids = due[start : start + BATCH]
        target = POLICY.move("in_force", "expire")
        with transaction():
            changed = list(
                db.session.scalars(
                    update(Policy)
                    .where(Policy.id.in_(ids), Policy.status == "in_force")
                    .values(status=target, version=Policy.version + 1, updated_at=utcnow())
                    .returning(Policy.id)
                    .execution_options(synchronize_session=False)
                )
            )
            for policy_id in changed:
                audit(
                    None,
                    SimpleNamespace(id=policy_id),
                    "expire",
                    {"status": "in_force"},
                    {"status": target},
                    entity=Policy.__tablename__,
                )
        db.session.expire_all()
        done += len(changed)
    return done
