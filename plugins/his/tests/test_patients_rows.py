"""A patient's rows are found, not listed: a merge moves the paid charges,
the payment and its tenders with the patient, and a purge deletes them
children first — tables that no merge or purge names."""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import db
from plugins.his.models import Charge, PatientPayment, PaymentTender
from plugins.his.services.patients.rows import patient_rows

from .billing_fixtures import cash, clinic, counter, pay  # noqa: F401


def _count(model, **where) -> int:
    query = select(func.count()).select_from(model).filter_by(**where)
    return db.session.scalar(query)


def test_a_merge_moves_and_a_purge_deletes_the_patients_billing(counter, as_user, make_user):
    admin = make_user(role="admin")
    wang, dup = counter.patient("Wang Jun"), counter.patient("Wang Jun (dup)")
    paid = pay(counter, dup, counter.owe(dup, "30.00", "12.00"), cash("50.00"))
    counter.owe(dup, "8.00")  # still owed
    api = as_user(admin)
    merged = api.post(f"/api/v1/customers/{wang.id}/merge", json={"merge_id": dup.id})
    assert merged.status_code == 200, merged.json
    db.session.expire_all()
    assert _count(Charge, customer_id=wang.id) == 3 and _count(Charge, customer_id=dup.id) == 0
    assert db.session.get(PatientPayment, paid.id).customer_id == wang.id
    rows = patient_rows(wang.id)
    assert len(rows["his_payment_tender"]) == 1 and len(rows["his_charge"]) == 3

    assert api.delete(f"/api/v1/customers/{wang.id}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{wang.id}").status_code == 204
    db.session.expire_all()
    assert _count(Charge) == 0 and _count(PatientPayment) == 0 and _count(PaymentTender) == 0
