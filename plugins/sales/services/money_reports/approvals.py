"""Approval turnaround (审批时效): how long approvers take on the sales
records' approval requests, per flow and per approver.

core.api exports :class:`ApprovalRequest` but not the task and flow tables;
they are read here through the request's own relationships (``tasks``,
``flow``), the engine's tables as they are. A decision is a task approved
or rejected; its turnaround the hours from the task's opening (its
``created_at``) to ``decided_at``. Median and 90th percentile are
interpolated between the two nearest decisions (as PostgreSQL's
``percentile_cont``), computed in SQL with window functions so the same
query serves SQLite and PostgreSQL.

Only requests on records ``user`` may see count: deals through
:func:`plugins.sales.services.access.visible_deals`, quotes, contracts and
payments through :func:`plugins.sales.services.access.visible_records`.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Integer, case, cast, func, literal, or_, select, union_all

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
    """Whether a request is on a sales record ``user`` may see (SQL). Someone
    who sees everything sees the requests of every customer not in the
    recycle bin: said so, no list of every record is gathered."""
    if sees_all(user):
        return ApprovalRequest.record_type.in_(RECORD_TYPES) & (
            ApprovalRequest.customer_id.is_(None)
            | ApprovalRequest.customer_id.not_in(binned_customers())
        )
    # one look-up by primary key per decision (a correlated EXISTS), not a
    # list of every record the user sees
    parts = [
        (ApprovalRequest.record_type == "sales.deal")
        & visible_deals(user, select(Deal.id)).where(Deal.id == ApprovalRequest.record_id).exists()
    ]
    for record_type, model in (
        ("sales.quote", Quote),
        ("sales.contract", Contract),
        ("sales.payment", Payment),
    ):
        parts.append(
            (ApprovalRequest.record_type == record_type)
            & visible_records(model, user, select(model.id))
            .where(model.id == ApprovalRequest.record_id)
            .exists()
        )
    return or_(*parts)


def _decided(user: User | None, start: date, end: date):
    """The decisions of the period on visible records, read once (a
    materialized CTE: both groupings read it, the tasks are scanned once)."""
    return (
        select(
            ApprovalRequest.flow_id.label("flow_id"),
            ApprovalTask.approver_id.label("approver_id"),
            ApprovalTask.status.label("status"),
            hours_between(ApprovalTask.created_at, ApprovalTask.decided_at).label("hours"),
        )
        .join(ApprovalRequest, ApprovalRequest.id == ApprovalTask.request_id)
        .where(
            ApprovalTask.status.in_(DECISIONS),
            ApprovalTask.decided_at >= midnight(start),
            ApprovalTask.decided_at < midnight(end),
            visible_requests(user),
        )
        .cte("decided")
        .prefix_with("MATERIALIZED")
    )


def _turnaround(decided, key: str):
    """(kind, key, decisions, approved, median, p90) per value of column ``key``."""
    column = decided.c[key]
    ranked = select(
        column.label("k"),
        decided.c.status,
        decided.c.hours,
        func.row_number().over(partition_by=column, order_by=decided.c.hours).label("rn"),
        func.count().over(partition_by=column).label("n"),
    ).subquery()
    columns = []
    for _name, p in PERCENTILES:
        position = p * (ranked.c.n - 1)  # 0-based, between two decisions
        # floor (PostgreSQL's cast rounds, SQLite's truncates; positions are >= 0)
        below = cast(func.floor(position) if _postgres() else position, Integer)
        low = func.max(case((ranked.c.rn == below + 1, ranked.c.hours)))
        high = func.max(case((ranked.c.rn == below + 2, ranked.c.hours)))
        share = func.max(position - below)
        columns.append(low + share * (func.coalesce(high, low) - low))
    return select(
        literal(key).label("kind"),
        ranked.c.k,
        func.count(),
        func.sum(case((ranked.c.status == "approved", 1), else_=0)),
        *columns,
    ).group_by(ranked.c.k)


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


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
    decided = _decided(user, start, end)
    rows = db.session.execute(
        union_all(_turnaround(decided, "flow_id"), _turnaround(decided, "approver_id"))
    ).all()
    flows = [r[1:] for r in rows if r[0] == "flow_id"]
    people = [r[1:] for r in rows if r[0] == "approver_id"]
    flow_names = dict(
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
