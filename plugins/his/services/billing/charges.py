"""Charges: the lines a patient owes, written by the record they come from.

Registration, prescriptions and orders call :func:`add_charges` inside their
own transaction (it joins it), :func:`void_charges` when the record is
withdrawn — refused once any of its lines is paid — and :func:`is_paid`
before what payment unlocks (the pharmacy dispenses a paid prescription).
Each line written is audited (``create``), each voided too (``void``), under
the ``actor`` the caller passes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from core.api import (
    User,
    ValidationError,
    audit,
    db,
    instance_currency,
    instance_timezone,
    snapshot,
    transaction,
    translator,
)

from ...models import PRICE_CATEGORIES, Booking, Charge, PriceItem, Visit

_, _l = translator("his")

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ChargeLine:
    """One line to charge: a price-list code (or a free code), its name,
    category (one of PRICE_CATEGORIES), quantity and unit price."""

    item_code: str
    name: str
    category: str
    quantity: Decimal
    unit_price: Decimal


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_for(code: str, quantity: Decimal = Decimal("1")) -> ChargeLine:
    """A line at the price list's price for ``code`` (active items only)."""
    item = db.session.scalar(select(PriceItem).where(PriceItem.code == code))
    if item is None or not item.active:
        raise ValidationError({"item_code": [_("no active price item with this code")]})
    return ChargeLine(item.code, item.name, item.category, Decimal(quantity), item.price)


def check_lines(lines: list[ChargeLine]) -> None:
    errors: list[str] = []
    for line in lines:
        if line.category not in PRICE_CATEGORIES:
            errors.append(_("unknown category %(category)s", category=line.category))
        if Decimal(line.quantity) <= 0:
            errors.append(_("a quantity must be more than zero"))
        if Decimal(line.unit_price) < 0:
            errors.append(_("a price must not be negative"))
    if not lines:
        errors.append(_("nothing to charge"))
    if errors:
        raise ValidationError({"lines": errors})


def add_charges(
    customer_id: int,
    *,
    visit_id: int | None,
    source: str,
    source_id: int,
    lines: list[ChargeLine],
    booking_id: int | None = None,
    currency: str | None = None,
    actor: User | None = None,
) -> list[Charge]:
    """Write unpaid charges for ``lines`` of record ``source``/``source_id``
    (joins the caller's transaction), each audited under ``actor``; the
    amount is quantity × unit price, rounded to the cent."""
    check_lines(lines)
    currency = currency or instance_currency()
    department_id = department_of(visit_id, booking_id)
    charges = []
    with transaction():
        for line in lines:
            quantity = Decimal(line.quantity)
            charge = Charge(
                customer_id=customer_id,
                visit_id=visit_id,
                booking_id=booking_id,
                source=source,
                source_id=source_id,
                item_code=line.item_code,
                name=line.name[:200],
                category=line.category,
                quantity=quantity,
                unit_price=money(line.unit_price),
                amount=money(quantity * Decimal(line.unit_price)),
                currency=currency,
                status="unpaid",
                department_id=department_id,
            )
            db.session.add(charge)
            charges.append(charge)
        db.session.flush()
        for charge in charges:
            audit(actor, charge, "create", None, snapshot(charge))
    return charges


def charges_of(source: str, source_id: int) -> list[Charge]:
    return list(
        db.session.scalars(
            select(Charge)
            .where(Charge.source == source, Charge.source_id == source_id)
            .order_by(Charge.id)
        )
    )


def void_charges(source: str, source_id: int, actor: User | None = None) -> int:
    """Void the unpaid charges of a record (joins the caller's transaction);
    refused, with nothing changed, when any of them is paid. Returns how
    many were voided."""
    charges = charges_of(source, source_id)
    if any(c.status in ("paid", "refunded") for c in charges):
        raise ValidationError({"charges": [_("this record is paid; refund it first")]})
    voided = 0
    with transaction():
        for charge in charges:
            if charge.status == "unpaid":
                void_charge(charge, actor)
                voided += 1
        db.session.flush()
    return voided


def void_charge(charge: Charge, actor: User | None) -> None:
    """Void one unpaid charge, audited (``void``), in the caller's transaction."""
    before = snapshot(charge)
    charge.status = "void"
    db.session.flush()
    audit(actor, charge, "void", before, snapshot(charge))


def department_of(visit_id: int | None, booking_id: int | None) -> int | None:
    """The department a charge is written for — its visit's, else its
    registration's — copied onto the line, so that the revenue report and
    its cells never look it up again."""
    if visit_id is not None:
        visit = db.session.get(Visit, visit_id)
        if visit is not None and visit.department_id is not None:
            return visit.department_id
    if booking_id is not None:
        booking = db.session.get(Booking, booking_id)
        if booking is not None:
            return booking.department_id
    return None


def is_paid(source: str, source_id: int) -> bool:
    """Whether a record's charges are all paid (and it has some): what the
    pharmacy checks before dispensing a prescription."""
    counts = dict(
        db.session.execute(
            select(Charge.status, func.count())
            .where(Charge.source == source, Charge.source_id == source_id, Charge.status != "void")
            .group_by(Charge.status)
        ).all()
    )
    return bool(counts) and set(counts) == {"paid"}


def local_day(moment: datetime) -> date:
    """The instance's calendar day of ``moment`` (a receipt's, a settlement's)."""
    return moment.astimezone(ZoneInfo(instance_timezone())).date()
