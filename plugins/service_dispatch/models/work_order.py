"""Work orders (工单), their history, the SLA deadline they keep, and the day's
order-number counter."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Contact,
    Customer,
    SoftDeleteMixin,
    TimestampMixin,
    User,
    UTCDateTime,
    VersionedMixin,
    db,
    translator,
    utcnow,
)

_, _l = translator("service_dispatch")

#: the lifecycle; ``services.lifecycle.TRANSITIONS`` is the one place that moves between them
STATUSES = (
    "new",
    "assigned",
    "accepted",
    "on_the_way",
    "on_site",
    "completed",
    "closed",
    "declined",
    "cancelled",
    "reopened",
)
#: done with (no SLA deadline is pending any more)
CLOSED = ("completed", "closed", "cancelled")
#: where a dispatcher still has to act (the board's columns)
TO_DISPATCH = ("new", "declined", "reopened")
#: an engineer's workload: orders given to them and not yet finished
OPEN_FOR_ENGINEER = ("assigned", "accepted", "on_the_way", "on_site")
PRIORITIES = ("low", "normal", "high", "urgent")
#: covered by a warranty or contract, or paid for by the customer
COVERAGE = ("covered", "chargeable")
#: how the order came in
SOURCES = ("agent", "public")
#: an order opened within this many days after another order of the same serial
#: number was completed is a repeat visit (返修)
REPEAT_DAYS = 30
#: an order whose SLA figures still depend on the time of asking: a deadline
#: nobody has met yet may pass (``services.reports``). ``{t}``: the table's
#: name and a dot, or nothing (the index below); the report cells hold every
#: other order (``services.report_cells``)
PENDING_SQL = (
    "({t}responded_at IS NULL AND {t}status <> 'cancelled' AND {t}respond_by IS NOT NULL)"
    " OR ({t}status NOT IN ('completed', 'closed', 'cancelled') AND {t}resolve_by IS NOT NULL)"
)


class WorkOrder(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A service job for a customer, assigned to one engineer (工程师)."""

    __tablename__ = "service_dispatch_work_order"
    __label__ = _l("Work order")  # how the audit log names it
    __table_args__ = (
        Index("ix_service_dispatch_work_order_engineer_status", "engineer_id", "status"),
        Index(
            "ix_service_dispatch_work_order_engineer_appointment", "engineer_id", "appointment_at"
        ),
        # the SLA report: the orders opened / visited in a period, and
        # the earlier visits to a serial number (``services.orders.repeat_of``)
        Index("ix_service_dispatch_work_order_created_at", "created_at"),
        Index("ix_service_dispatch_work_order_checked_in_at", "checked_in_at"),
        Index("ix_service_dispatch_work_order_serial_completed", "serial_number", "completed_at"),
        # the work orders page: newest change first, a page at a time
        Index("ix_service_dispatch_work_order_updated", "updated_at", "id"),
        # the watchlist: open orders by their next deadline (closed ones
        # have none and stay out of the index)
        Index(
            "ix_service_dispatch_work_order_due_at",
            "due_at",
            sqlite_where=text("due_at IS NOT NULL"),
            postgresql_where=text("due_at IS NOT NULL"),
        ),
        # the report of someone who sees every order: the orders of a period
        # whose figures are not in the report cells yet
        Index(
            "ix_service_dispatch_work_order_pending",
            "created_at",
            sqlite_where=text(PENDING_SQL.format(t="")),
            postgresql_where=text(PENDING_SQL.format(t="")),
        ),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    priority: Mapped[str] = mapped_column(String(8), default="normal", index=True)
    category: Mapped[str | None] = mapped_column(String(60))
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    product: Mapped[str | None] = mapped_column(String(120))
    serial_number: Mapped[str | None] = mapped_column(String(80))
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the first accept, kept through reassignments and reopens: the SLA response
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    departed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the completion report
    diagnosis: Mapped[str | None] = mapped_column(Text)
    work_done: Mapped[str | None] = mapped_column(Text)
    labour_minutes: Mapped[int | None] = mapped_column(Integer)
    charges: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    confirmed_by: Mapped[str | None] = mapped_column(String(120))
    #: why the dispatcher assigned outside the engineer's skills or regions
    override_note: Mapped[str | None] = mapped_column(String(300))
    # entitlement and SLA (``services.entitlement``): set when the order is opened
    contract_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_dispatch_contract.id"), index=True
    )
    coverage: Mapped[str] = mapped_column(String(12), default="chargeable")
    resolve_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # a request filed through a public link (``services.public``)
    source: Mapped[str] = mapped_column(String(8), default="agent")
    requester_name: Mapped[str | None] = mapped_column(String(120))
    requester_phone: Mapped[str | None] = mapped_column(String(40))
    #: sha256 of the customer's tracking token; the token itself is never stored
    tracking_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # the SLA report's repeat visits and first-time fixes, kept as the order moves
    #: the order of the same serial number completed in the ``REPEAT_DAYS`` before
    #: this one was opened (set when it is opened): this one is a repeat visit
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("service_dispatch_work_order.id"))
    #: how often the order was reopened (``services.lifecycle``)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the next SLA deadline of an open order (``next_deadline``), None once it
    #: is done with; kept on every insert and update, for the watchlist
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship()
    contact: Mapped[Contact | None] = relationship()
    engineer: Mapped[User | None] = relationship()
    events: Mapped[list[WorkOrderEvent]] = relationship(
        order_by=lambda: [WorkOrderEvent.at, WorkOrderEvent.id], viewonly=True
    )


def next_deadline(order) -> tuple[str, datetime] | None:
    """An order's next SLA deadline: ``("respond", t)`` while nobody has
    accepted (when it comes first), else ``("resolve", t)``; None when it is
    done with. ``order``: a work order, or a row with its ``status``,
    ``responded_at``, ``respond_by`` and ``resolve_by``."""
    if order.status in CLOSED:
        return None
    due = []
    if order.responded_at is None and order.respond_by is not None:
        due.append((order.respond_by, "respond"))
    if order.resolve_by is not None:
        due.append((order.resolve_by, "resolve"))
    if not due:
        return None
    at, kind = min(due)
    return kind, at


@event.listens_for(WorkOrder, "before_insert")
@event.listens_for(WorkOrder, "before_update")
def _keep_due_at(_mapper, _connection, order: WorkOrder) -> None:
    """``due_at`` follows the deadlines, the accept and the status on every
    write through the ORM (the lifecycle, entitlement, edits)."""
    deadline = None if order.deleted_at is not None else next_deadline(order)
    order.due_at = deadline[1] if deadline else None


class OrderCounter(db.Model):
    """The last order number given out on a UTC day (``services.orders.next_number``)."""

    __tablename__ = "service_dispatch_order_counter"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMMDD
    last: Mapped[int] = mapped_column(Integer)


class WorkOrderEvent(TimestampMixin, db.Model):
    """One step of an order's history: who moved it from which state to which."""

    __tablename__ = "service_dispatch_work_order_event"

    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("service_dispatch_work_order.id"), index=True
    )
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User | None] = relationship()
