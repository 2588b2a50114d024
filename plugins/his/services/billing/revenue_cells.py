"""Keeping the revenue cells (``models.revenue``) in step with the money,
in the transaction that moves it: :func:`count_payment` when a payment is
taken, :func:`count_refund` when a refund is paid out. Nothing else changes
what the revenue report counts — a charge is counted once paid (a void one
never was), and a payment or a paid-out refund is never undone.

Each call adds to its cells with core's ``add_to_cells`` (one upsert a
table, in key order, so that two cashiers' transactions lock the cells they
share in the same order). A charge keeps the department it was written for
(``charges.department_of``) and a payment the key of its charges' departments
(:func:`departments_key`), so neither the report nor the cells look up a
visit or a registration again — but for the rows written before these
copies, which the migration leaves as they were (``revenue_rebuild``) and
which are read through their links here.

The cells count money whoever's it was: a patient moved to the recycle bin
paid what they paid, so their payments stay in the revenue of the day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy import Table

from core.api import add_to_cells

from ...models import Charge, PatientPayment, Refund, RevenueCell, RevenueMethodCell
from ...models.revenue import NO_DEPARTMENT
from .charges import department_of, local_day

CATEGORY_KEYS = ("day", "department_id", "category", "currency")
METHOD_KEYS = ("day", "departments", "method", "currency")


def cents(amount: Decimal) -> int:
    """An amount of money as whole cents."""
    return int(Decimal(amount).scaleb(2).to_integral_value())


def departments_key(ids: Iterable[int | None]) -> str:
    """A payment's departments as its cells' key: ``",3,7,"``, in order,
    0 for a charge of none (and for a payment of no charge)."""
    found = sorted({NO_DEPARTMENT if i is None else i for i in ids}) or [NO_DEPARTMENT]
    return "," + ",".join(str(i) for i in found) + ","


def charge_department(charge: Charge) -> int | None:
    """A charge's department: its copy, else (a line written before the
    copy was kept) its visit's, else its registration's."""
    if charge.department_id is not None:
        return charge.department_id
    return department_of(charge.visit_id, charge.booking_id)


def payment_key(payment: PatientPayment) -> str:
    """A payment's key of departments: its own, else (a payment written
    before the key was kept) read from its charges."""
    return payment.departments or departments_key(charge_department(c) for c in payment.charges)


def key_departments(key: str) -> set[int]:
    """The departments of a key :func:`departments_key` wrote."""
    return {int(part) for part in key.split(",") if part}


def _add(table: Table, keys: tuple[str, ...], rows: dict[tuple, dict[str, int]]) -> None:
    """Add each row's measures to its cell (created at the first)."""
    values = [{**dict(zip(keys, key, strict=True)), **row} for key, row in rows.items()]
    measures = sorted({m for row in rows.values() for m in row})
    add_to_cells(table, values, keys=keys, measures=measures)


def _category_rows(day: date, charges: Iterable[Charge], measure: str) -> dict:
    rows: dict[tuple, dict[str, int]] = {}
    for charge in charges:
        department = charge_department(charge) or NO_DEPARTMENT
        key = (day, department, charge.category, charge.currency)
        row = rows.setdefault(key, {f"{measure}_cents": 0, f"{measure}_lines": 0})
        row[f"{measure}_cents"] += cents(charge.amount)
        row[f"{measure}_lines"] += 1
    return rows


def count_payment(payment: PatientPayment, charges: list[Charge]) -> None:
    """Add a payment just taken (its tenders and its ``charges``) to the
    cells of its local day, in its transaction."""
    day = local_day(payment.paid_at)
    _add(RevenueCell.__table__, CATEGORY_KEYS, _category_rows(day, charges, "charged"))
    rows: dict[tuple, dict[str, int]] = {}
    for tender in payment.tenders:
        key = (day, payment.departments, tender.method, payment.currency)
        row = rows.setdefault(key, {"taken_cents": 0, "tenders": 0})
        row["taken_cents"] += cents(tender.amount)
        row["tenders"] += 1
    _add(RevenueMethodCell.__table__, METHOD_KEYS, rows)


def count_refund(refund: Refund, payment: PatientPayment, charges: list[Charge]) -> None:
    """Add a refund just paid out (of ``charges``, or of an amount when
    none) to the cells of its local day, in its transaction."""
    assert refund.refunded_at is not None
    day = local_day(refund.refunded_at)
    _add(RevenueCell.__table__, CATEGORY_KEYS, _category_rows(day, charges, "refunded"))
    amount, untied = cents(refund.amount), not charges
    row = {
        "refunded_cents": amount,
        "refunds": 1,
        "untied_cents": amount if untied else 0,
        "untied_refunds": int(untied),
    }
    key = (day, payment_key(payment), refund.method, refund.currency)
    _add(RevenueMethodCell.__table__, METHOD_KEYS, {key: row})
