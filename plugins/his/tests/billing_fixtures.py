"""A cashier's counter for the billing tests: the booking clinic (two
departments, doctors, a clerk), two cashiers, a manager, a salesman who may
see nothing of billing, and ``owe(customer, *amounts)`` to put unpaid
charges on a patient through the service other records call."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from core.api import db, transaction
from plugins.his.services import billing

from .booking_fixtures import clinic  # noqa: F401  (re-exported for the tests)

_source = itertools.count(1)


@pytest.fixture
def counter(clinic, make_user):  # noqa: F811
    clinic.cashier = make_user(role="his_cashier", name="Cashier Zhao")
    clinic.other_cashier = make_user(role="his_cashier", name="Cashier Qin")
    clinic.manager = make_user(role="manager", name="Manager Xu")
    clinic.sales = make_user(role="sales", name="Sales Ma")

    def owe(customer, *amounts: str, category: str = "lab"):
        lines = [
            billing.ChargeLine(f"T{i}", f"Test {i}", category, Decimal("1"), Decimal(a))
            for i, a in enumerate(amounts)
        ]
        with transaction():
            charges = billing.add_charges(
                customer.id, visit_id=None, source="order", source_id=next(_source), lines=lines
            )
        db.session.commit()
        return charges

    clinic.owe = owe
    return clinic


def cash(amount: str) -> dict:
    return {"method": "cash", "amount": amount}


def pay(counter, customer, charges, *tenders, by=None, now=None):
    return billing.take_payment(
        {
            "customer_id": customer.id,
            "charge_ids": [c.id for c in charges],
            "tenders": list(tenders),
        },
        by or counter.cashier,
        now=now,
    )
