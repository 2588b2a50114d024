"""What a customer is entitled to: service contracts and warranties (保修)
per product, the SLA policy (response and resolution hours by category and
priority) and the business calendar those hours are counted in."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Customer,
    SoftDeleteMixin,
    TimestampMixin,
    VersionedMixin,
    db,
    instance_timezone,
    translator,
)

_, _l = translator("service_dispatch")

#: a warranty comes with the product; a contract is sold
CONTRACT_KINDS = ("warranty", "contract")


class Contract(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A warranty or service contract of one customer: it covers a product
    (or one serial number of it, or every product when both are empty) for
    the listed problem categories (every category when empty) from
    ``starts_on`` to ``ends_on`` inclusive."""

    __tablename__ = "service_dispatch_contract"
    __label__ = _l("Service contract")  # how the audit log names it

    number: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12), default="warranty")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    product: Mapped[str | None] = mapped_column(String(120))
    serial_number: Mapped[str | None] = mapped_column(String(80), index=True)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    customer: Mapped[Customer] = relationship()


class SlaPolicy(TimestampMixin, VersionedMixin, db.Model):
    """Business hours to respond (engineer accepted) and to resolve
    (completed) for a category and priority; category ``""`` is the default
    for any category without its own row."""

    __tablename__ = "service_dispatch_sla_policy"
    __label__ = _l("SLA policy")  # how the audit log names it
    __table_args__ = (UniqueConstraint("category", "priority"),)

    category: Mapped[str] = mapped_column(String(60), default="")
    priority: Mapped[str] = mapped_column(String(8))
    response_hours: Mapped[int] = mapped_column(Integer)
    resolution_hours: Mapped[int] = mapped_column(Integer)


class BusinessCalendar(TimestampMixin, VersionedMixin, db.Model):
    """The one business calendar (row id 1): the time zone, the working
    weekdays (0 = Monday) and the opening hours in minutes after midnight."""

    __tablename__ = "service_dispatch_calendar"
    __label__ = _l("Business calendar")  # how the audit log names it

    timezone: Mapped[str] = mapped_column(String(64), default=instance_timezone)
    workdays: Mapped[list[int]] = mapped_column(JSON, default=lambda: [0, 1, 2, 3, 4])
    opens_minute: Mapped[int] = mapped_column(Integer, default=9 * 60)
    closes_minute: Mapped[int] = mapped_column(Integer, default=18 * 60)


class CalendarDay(TimestampMixin, db.Model):
    """A date that breaks the weekly rule: a public holiday (``working``
    false) or a make-up working day on a weekend (调休, ``working`` true)."""

    __tablename__ = "service_dispatch_calendar_day"
    __label__ = _l("Calendar day")  # how the audit log names it

    day: Mapped[date] = mapped_column(Date, unique=True)
    working: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str | None] = mapped_column(String(120))
