"""What service dispatch knows of each customer, and the money its work
brings — for analysis that knows no plugin (segments, RFM, churn risk; see
``core.api.customer_facts`` and ``core.api.money_rows``).

Only live work orders count: an order in the recycle bin (``deleted_at``
set) counts nowhere, nor does its revisit.

- ``service.open_work_orders`` — the customer's orders not done with yet:
  any state but completed, closed or cancelled (0 without one). Read
  through the status index (few orders are open), then grouped.
- ``service.last_closed_at`` — when the customer's latest closed order was
  closed (UTC; none without one). Reopening an order clears its close.
- ``service.open_complaints`` — a revisit scoring at or below the plan's
  low score is a complaint: it reopens or escalates the order. It stays
  open until the order is closed again (or cancelled); 0 without one.
- ``service.satisfaction`` — the score of the customer's latest revisit
  (回访), from 1–5 onto 0–10: ``(score − 1) × 2.5``, so 1 is 0, 3 is 5 and
  5 is 10 (none before the first revisit).
- money event ``service.charges`` — what the customer is charged for a job:
  the charges of the completion report of each completed or closed order
  (an order reopened or cancelled charges nothing until it is completed
  again), at the time it was completed; orders without charges (covered by
  a warranty or contract) bring no row. Charges are in the instance's
  currency.
- journey step ``service_dispatch.work_order`` — when the customer's first
  work order was opened (a cancelled one too: the customer asked).

Indexes: the grouping by customer uses ``ix_service_dispatch_work_order_customer_id``
and reads the status, close time and ``deleted_at`` from the rows (no index
holds the customer with them); the revisits are joined to their order by
its primary key.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select

from core.api import CustomerFact, JourneyStep, MoneyEvent, translator

from ..models import CLOSED, STATUSES, Revisit, WorkOrder

_, _l = translator("service_dispatch")

#: what a user must hold to ask the facts (they reveal the work orders)
PERMISSION = "service.order.read"
#: the states of an order not done with (the complement of ``CLOSED``)
OPEN = tuple(s for s in STATUSES if s not in CLOSED)
#: what a low revisit leaves the order in while the complaint is unsettled
COMPLAINT_OUTCOMES = ("reopened", "escalated")
#: the states that settle a complaint
SETTLED = ("closed", "cancelled")
LIVE = WorkOrder.deleted_at.is_(None)


def open_work_orders() -> Select:
    """``(customer_id, number of open orders)``."""
    return (
        select(WorkOrder.customer_id, func.count())
        .where(WorkOrder.status.in_(OPEN), LIVE)
        .group_by(WorkOrder.customer_id)
    )


def last_closed_at() -> Select:
    """``(customer_id, when the latest closed order was closed)``."""
    return (
        select(WorkOrder.customer_id, func.max(WorkOrder.closed_at))
        .where(WorkOrder.status == "closed", WorkOrder.closed_at.is_not(None), LIVE)
        .group_by(WorkOrder.customer_id)
    )


def open_complaints() -> Select:
    """``(customer_id, number of low revisits whose order is not settled)``."""
    return (
        select(WorkOrder.customer_id, func.count())
        .join(Revisit, Revisit.work_order_id == WorkOrder.id)
        .where(Revisit.outcome.in_(COMPLAINT_OUTCOMES), WorkOrder.status.not_in(SETTLED), LIVE)
        .group_by(WorkOrder.customer_id)
    )


def satisfaction() -> Select:
    """``(customer_id, latest revisit score on 0–10)``: the revisits ranked
    newest first per customer, the first kept."""
    ranked = (
        select(
            WorkOrder.customer_id.label("customer_id"),
            Revisit.score.label("score"),
            func.row_number()
            .over(
                partition_by=WorkOrder.customer_id, order_by=(Revisit.at.desc(), Revisit.id.desc())
            )
            .label("rank"),
        )
        .join(Revisit, Revisit.work_order_id == WorkOrder.id)
        .where(LIVE)
        .subquery()
    )
    return select(ranked.c.customer_id, (ranked.c.score - 1) * 2.5).where(ranked.c.rank == 1)


def charges() -> Select:
    """``(customer_id, occurred_at, amount)``: the charges of each completed
    or closed order, at its completion."""
    return select(
        WorkOrder.customer_id.label("customer_id"),
        WorkOrder.completed_at.label("occurred_at"),
        WorkOrder.charges.label("amount"),
    ).where(
        WorkOrder.status.in_(("completed", "closed")),
        WorkOrder.completed_at.is_not(None),
        WorkOrder.charges > 0,
        LIVE,
    )


def customer_facts() -> list[CustomerFact]:
    return [
        CustomerFact(
            "service.open_work_orders",
            _l("Open work orders"),
            "number",
            open_work_orders,
            missing=0,
            permission=PERMISSION,
        ),
        CustomerFact(
            "service.last_closed_at",
            _l("Last work order closed"),
            "date",
            last_closed_at,
            missing=None,
            permission=PERMISSION,
        ),
        CustomerFact(
            "service.open_complaints",
            _l("Open complaints (low revisit scores)"),
            "number",
            open_complaints,
            missing=0,
            permission=PERMISSION,
            meaning="open_complaints",
        ),
        CustomerFact(
            "service.satisfaction",
            _l("Service satisfaction (latest revisit, 0–10)"),
            "number",
            satisfaction,
            missing=None,
            permission=PERMISSION,
            meaning="satisfaction",
        ),
    ]


def money_events() -> list[MoneyEvent]:
    return [MoneyEvent("service.charges", _l("Service charges"), charges)]


def first_work_order() -> Select:
    """``(customer_id, when the first work order was opened)``."""
    return (
        select(WorkOrder.customer_id, func.min(WorkOrder.created_at))
        .where(LIVE)
        .group_by(WorkOrder.customer_id)
    )


def journey_steps() -> list[JourneyStep]:
    step = "service_dispatch.work_order"
    return [JourneyStep(step, _l("Work order"), first_work_order, 60, PERMISSION)]
