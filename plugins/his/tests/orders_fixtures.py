"""The formulary and the price list's examinations for the prescription
and examination order tests, and helpers that write through the API."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.api import db
from plugins.his.models import Drug, PriceItem


def drug(code: str, generic: str, **fields) -> Drug:
    row = Drug(
        code=code,
        generic_name=generic,
        form=fields.pop("form", "capsule"),
        unit=fields.pop("unit", "box"),
        price=Decimal(fields.pop("price", "18.50")),
        currency="CNY",
        category=fields.pop("category", "rx"),
        active=fields.pop("active", True),
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def formulary():
    amoxicillin = drug(
        "AMOX500",
        "Amoxicillin",
        name_zh="阿莫西林",
        strength="500 mg",
        allergen_class="penicillin; 青霉素",
    )
    ibuprofen = drug("IBU200", "Ibuprofen", name_zh="布洛芬", strength="200 mg", price="9.80")
    ibuprofen_syrup = drug("IBU-SYR", "Ibuprofen", form="syrup", unit="bottle", price="21.00")
    retired = drug("OLD1", "Phenacetin", active=False)
    items = [
        PriceItem(code="LAB-CBC", name="Complete blood count", name_zh="血常规", category="lab"),
        PriceItem(code="IMG-CXR", name="Chest X-ray", name_zh="胸部X光", category="imaging"),
        PriceItem(code="CONSULT", name="Consultation", category="consultation"),
    ]
    for item, price in zip(items, ("25.00", "80.00", "10.00"), strict=True):
        item.price, item.currency, item.active = Decimal(price), "CNY", True
    db.session.add_all(items)
    db.session.commit()
    return SimpleNamespace(
        amoxicillin=amoxicillin, ibuprofen=ibuprofen, syrup=ibuprofen_syrup, retired=retired
    )


def line(drug: Drug, **fields) -> dict:
    """A prescription line of ``drug`` as the API reads it."""
    return {
        "drug_id": drug.id,
        "dose": "500",
        "dose_unit": "mg",
        "route": "oral",
        "frequency": "tid",
        "days": 5,
        "quantity": 2,
        **fields,
    }


def prescribe(client, visit, *lines, **fields):
    """POST a draft prescription of ``lines`` in ``visit``; the answer."""
    return client.post(
        "/api/v1/his/prescriptions", json={"visit_id": visit.id, "lines": list(lines), **fields}
    )


def sign(client, answer, *overrides):
    """Sign the draft ``answer`` with ``overrides`` as (position, kind, reason)."""
    ids = {ln["position"]: ln["id"] for ln in answer["lines"]}
    given = [{"line_id": ids[p], "kind": k, "reason": r} for p, k, r in overrides]
    return client.post(
        f"/api/v1/his/prescriptions/{answer['id']}/sign",
        json={"version": answer["version"], "overrides": given},
    )
