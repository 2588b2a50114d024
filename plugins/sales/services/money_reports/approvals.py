"""Approval turnaround (审批时效): how long approvers take on the sales
records' approval requests, per flow and per approver.

core.api exports :class:`ApprovalRequest` but not the task and flow tables;
they are read here through the request's own relationships (``tasks``,
``flow``), the engine's tables as they are. A decision is a task approved
or rejected; its turnaround the hours from the task's opening (its
``created_at``) to ``decided_at``. Median and 90th percentile are
interpolated between the two nearest decisions (as PostgreSQL's
``percentile_cont``). The period's decisions are read in one query and
their percentiles worked out here: the window functions that did it in SQL
for both databases took 0.6 s over 53,000 decisions (bench/money.py).

Only requests on records ``user`` may see count: deals through
:func:`plugins.sales.services.access.visible_deals`, quotes, contracts and
payments through :func:`plugins.sales.services.access.visible_records`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, or_, select

from core.api import ApprovalRequest, User, db, sees_all

from ...models import Contract, Deal, Payment, Quote
from ..access import binned_customers, visible_deals, visible_records
from .common import hours_between, midnight
from .receivables import names

ApprovalTask = ApprovalRequest.tasks.property.mapper.class_
ApprovalFlow = ApprovalRequest.flow.property.mapper.class_
DECISIONS = ("approved", "rejected")
RECORD_TYPES = ("sales.deal", "sales.quote", "sales.contract", "sales.payment")
PERCENTILES = (("median_hours", 0.5), ("p90_hours", 0.9))
TENTH = Decimal("0.1")


def visible_requests(user: User | None):
    """Whether a request is on a sales record ``user`` may see (SQL), for
    someone who sees everything: the requests of every customer not in the
    recycle bin, said so — no list of every record is gathered. Everyone
    else's decisions are narrowed per record type in :func:`_decided`."""
    return ApprovalRequest.record_type.in_(RECORD_TYPES) & (
        ApprovalRequest.customer_id.is_(None)
        | ApprovalRequest.customer_id.not_in(binned_customers())
    )


def _visible_ids(record_type: str, user: User | None):
    """The ids of the records of ``record_type`` ``user`` may see (a select)."""
    if record_type == "sales.deal":
        return visible_deals(user, select(Deal.id))
    model = {"sales.quote": Quote, "sales.contract": Contract, "sales.payment": Payment}[
        record_type
    ]
    return visible_records(model, user, select(model.id))


def _decided(user: User | None, start: date, end: date) -> Select:
    """The decisions of the period on records ``user`` may see: flow,
    approver, status and hours, one row each. For someone who does not see
    everything, one semi-join per record type with the records of that type
    they see (each gathered once), not a look-up per decision."""
    query = (
        select(
            ApprovalRequest.flow_id,
            ApprovalTask.approver_id,
            ApprovalTask.status,
            hours_between(ApprovalTask.created_at, ApprovalTask.decided_at),
        )
        .join(ApprovalRequest, ApprovalRequest.id == ApprovalTask.request_id)
        .where(
            ApprovalTask.status.in_(DECISIONS),
            ApprovalTask.decided_at >= midnight(start),
            ApprovalTask.decided_at < midnight(end),
        )
    )
    if sees_all(user):
        return query.where(visible_requests(user))
    return query.where(
        or_(
            *(
                (ApprovalRequest.record_type == record_type)
                & _driven(ApprovalRequest.record_id).in_(_visible_ids(record_type, user))
                for record_type in RECORD_TYPES
            )
        )
    )


def _driven(column):
    """``column``, kept from driving SQLite's plan: SQLite would otherwise
    walk every record the user sees to their requests (a manager's 100,000
    payments) rather than the period's decisions to their records."""
    return column + 0 if db.engine.dialect.name == "sqlite" else column


def _turnaround(rows: list, index: int) -> dict:
    """``{key: (decisions, approved, median, p90)}`` of the decision ``rows``
    grouped by their column ``index`` (0 the flow, 1 the approver)."""
    hours: dict = defaultdict(list)
    approved: dict = defaultdict(int)
    for row in rows:  # one pass: 53,000 decisions at the benchmark's size
        key = row[index]
        hours[key].append(row[3])
        if row[2] == "approved":
            approved[key] += 1
    found = {}
    for key, taken in hours.items():
        taken.sort()
        found[key] = (len(taken), approved[key], *(_percentile(taken, p) for _n, p in PERCENTILES))
    return found


def _percentile(hours: list, p: float):
    """The ``p`` percentile of the sorted ``hours``, interpolated between the
    two nearest decisions (as PostgreSQL's ``percentile_cont``); exact for
    PostgreSQL's numeric hours, SQLite's are floats."""
    position = (Decimal(str(p)) if isinstance(hours[0], Decimal) else p) * (len(hours) - 1)
    below = int(position)  # floor: positions are >= 0
    low = hours[below]
    high = hours[below + 1] if below + 1 < len(hours) else low
    return low + (position - below) * (high - low)


def _hours(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _row(key: str, value, label, decisions, approved, median, p90) -> dict:
    return {
        key: value,
        "name": label,
        "decisions": int(decisions),
        "approved": int(approved or 0),
        "rejected": int(decisions) - int(approved or 0),
        "median_hours": _hours(median),
        "p90_hours": _hours(p90),
    }


def approval_turnaround(user: User | None, start: date, end: date) -> dict:
    """Decisions taken in [``start``, ``end``) on the sales records ``user``
    may see: per flow and per approver, how many, and the median and 90th
    percentile hours from a task's opening to its decision (one decimal)."""
    rows = list(db.session.execute(_decided(user, start, end)).all())
    flows = [(key, *found) for key, found in _turnaround(rows, 0).items()]
    people = [(key, *found) for key, found in _turnaround(rows, 1).items()]
    flow_names: dict[int, str] = dict(
        db.session.execute(
            select(ApprovalFlow.id, ApprovalFlow.name).where(
                ApprovalFlow.id.in_([f[0] for f in flows if f[0] is not None])
            )
        ).all()
    )
    who = names(p[0] for p in people)
    by_flow = [_row("flow_id", r[0], flow_names.get(r[0]), *r[1:]) for r in flows]
    by_approver = [_row("approver_id", r[0], who.get(r[0]), *r[1:]) for r in people]
    by_flow.sort(key=lambda r: (r["name"] or "", r["flow_id"] or 0))
    by_approver.sort(key=lambda r: (r["name"] or "", r["approver_id"]))
    return {"start": start, "end": end, "flows": by_flow, "approvers": by_approver}
