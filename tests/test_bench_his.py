"""The hospital benchmark's loader (bench/his_data.py) at a small scale:
what it writes agrees with what the plugin's services would write — a
patient is a customer of kind person the one search box finds by record
number, national ID (its look-up hash), phone and name; bookings keep the
database's promises and their registration fee is the session's, charged as
``charge_registration`` does; a visit per seen booking with its primary
diagnosis; charges are quantity × price; payments add up to their charges
and tenders; refunds, settlements and the reports add up — and the indexes
it set aside are back. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

PATIENTS, VISITS, CHARGES, DAYS = 300, 1_200, 4_800, 40


@pytest.fixture
def loaded(app):
    """300 patients, about 1,200 visits over 40 days in the test database
    (emptied after the test as every test's is)."""
    from bench.his_data import load_his
    from core.extensions import db

    before = schema_objects(db)
    counts = load_his(PATIENTS, VISITS, CHARGES, say=lambda _s: None, days=DAYS, desk=3)
    yield counts, before, schema_objects(db)
    db.session.remove()


def schema_objects(db) -> set[str]:
    """Names of the indexes, triggers and foreign keys on the loaded tables."""
    from bench.his_data import TABLES

    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            sql = (
                "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%(t)s) UNION ALL "
                "SELECT conname FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
                "WHERE c.contype = 'f' AND r.relname = ANY(%(t)s)"
            )
            return {row[0] for row in conn.exec_driver_sql(sql, {"t": list(TABLES)})}
        marks = ", ".join("?" * len(TABLES))
        sql = (
            "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') "
            f"AND tbl_name IN ({marks})"
        )
        return {row[0] for row in conn.exec_driver_sql(sql, tuple(TABLES))}


def test_the_hospital_data_set_adds_up(loaded):
    """One load, every check on it."""
    counts, before, after = loaded
    assert after == before and len(after) > 20  # every index and foreign key set aside is back
    assert counts["his_patient"] == counts["customer"] == PATIENTS
    patients_agree()
    the_one_box_finds_them()
    bookings_agree()
    charges_and_payments_agree()
    settlements_agree()
    reports_agree()


def patients_agree() -> None:
    from core.api import db
    from core.models import ContactPoint, Customer
    from plugins.his.models import Patient
    from plugins.his.services.patients.identity import check_identity

    patients = list(db.session.scalars(select(Patient)))
    customers = {c.id: c for c in db.session.scalars(select(Customer))}
    points = {p.customer_id: p.value for p in db.session.scalars(select(ContactPoint))}
    ids = 0
    for patient in patients:
        customer = customers[patient.customer_id]
        assert customer.kind.value == "person" and customer.deleted_at is None
        assert customer.phones == [points[customer.id]]  # the contact point create_customer keeps
        assert patient.mrn.startswith("MR") and len(patient.mrn) == 12
        if patient.id_type == "cn_ric":
            ids += 1
            data = {"national_id": patient.national_id}
            invalid, taken = check_identity(data, patient)  # valid, agreeing with sex and birth
            assert not invalid and not taken, patient.id
            assert patient.national_id_tail == patient.national_id[-4:]
    assert 0.75 * len(patients) < ids < 0.95 * len(patients)


def the_one_box_finds_them() -> None:
    from core.api import db
    from core.models import Customer, User
    from plugins.his.models import Patient
    from plugins.his.services.patients import find_patients

    admin = db.session.scalars(select(User).where(User.email == "bench.admin@example.com")).one()
    patient = db.session.scalars(
        select(Patient).where(Patient.id_type == "cn_ric").order_by(Patient.id.desc()).limit(1)
    ).one()
    customer = db.session.get(Customer, patient.customer_id)
    phone = customer.phones[0]
    for q in (patient.mrn, patient.national_id, f"{phone[3:6]} {phone[6:10]} {phone[10:]}"):
        found = list(db.session.scalars(find_patients(admin, q)))
        assert [p.id for p in found] == [patient.id], q
    by_name = {p.id for p in db.session.scalars(find_patients(admin, customer.name))}
    assert patient.id in by_name


def bookings_agree() -> None:
    from core.api import db
    from plugins.his.models import Booking, ClinicSession, Diagnosis, Visit
    from plugins.his.services.bookings.queue import board
    from plugins.his.services.bookings.rules import local_today

    today = local_today()
    sessions = {s.id: s for s in db.session.scalars(select(ClinicSession))}
    bookings = list(db.session.scalars(select(Booking)))
    visits = {v.booking_id: v for v in db.session.scalars(select(Visit))}
    primary = defaultdict(int)
    for diagnosis in db.session.scalars(select(Diagnosis)):
        primary[diagnosis.visit_id] += diagnosis.is_primary
    queues: dict[tuple, list[int]] = defaultdict(list)
    statuses: dict[str, int] = defaultdict(int)
    for booking in bookings:
        session = sessions[booking.session_id]
        statuses[booking.status] += 1
        assert (booking.department_id, booking.day, booking.fee) == (
            session.department_id,
            session.day,
            session.fee,
        )
        assert 1 <= booking.slot_no <= session.desk_quota + session.online_quota
        if booking.queue_no is not None:
            queues[(booking.department_id, booking.day)].append(booking.queue_no)
            assert booking.checked_in_at is not None
        visit = visits.get(booking.id)
        assert (visit is not None) == (booking.status == "seen"), booking.id
        if visit is not None:
            assert visit.doctor_id == session.doctor_id
            assert (visit.customer_id, visit.department_id) == (
                booking.customer_id,
                booking.department_id,
            )
            assert visit.visited_at == booking.called_at <= booking.seen_at
            assert primary[visit.id] == 1
        if booking.day > today:
            assert booking.status in ("booked", "cancelled")
    for numbers in queues.values():  # checked in one after the other: 1, 2, 3 …
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert {"seen", "no_show", "cancelled", "booked", "checked_in", "called"} <= set(statuses)
    past = [b.status for b in bookings if b.day < today]
    assert 0.85 < past.count("seen") / len(past) < 0.95
    # today's queue boards have someone waiting and someone being seen
    departments = {b.department_id for b in bookings if b.day == today}
    boards = [board(d, today=today) for d in departments]
    assert any(b.waiting for b in boards) and any(b.serving for b in boards)


def charges_and_payments_agree() -> None:
    from core.api import db
    from plugins.his.models import (
        Booking,
        Charge,
        ClinicSession,
        PatientPayment,
        PaymentTender,
        PriceItem,
        Refund,
    )
    from plugins.his.services.billing.registration import registration_code

    prices = {p.code: p for p in db.session.scalars(select(PriceItem))}
    charges = list(db.session.scalars(select(Charge)))
    assert 0.8 * CHARGES < len(charges) < 1.2 * CHARGES
    bookings = {b.id: b for b in db.session.scalars(select(Booking))}
    sessions = {s.id: s for s in db.session.scalars(select(ClinicSession))}
    by_payment: dict[int, Decimal] = defaultdict(Decimal)
    registrations = set()
    for charge in charges:
        assert charge.amount == (charge.quantity * charge.unit_price).quantize(Decimal("0.01"))
        assert charge.unit_price == prices[charge.item_code].price
        if charge.source == "booking":  # as charge_registration writes it
            booking = bookings[charge.source_id]
            registrations.add(booking.id)
            assert charge.booking_id == booking.id and charge.visit_id is None
            assert charge.item_code == registration_code(sessions[booking.session_id])
            assert charge.amount == booking.fee and charge.customer_id == booking.customer_id
            assert (charge.status == "void") == (booking.status == "cancelled")
        if charge.payment_id is not None:
            assert charge.status in ("paid", "refunded")
            by_payment[charge.payment_id] += charge.amount
        else:
            assert charge.status in ("unpaid", "void")
    assert registrations == set(bookings)  # every booking's fee
    tendered: dict[int, Decimal] = defaultdict(Decimal)
    for tender in db.session.scalars(select(PaymentTender)):
        tendered[tender.payment_id] += tender.amount
    refunded: dict[int, Decimal] = defaultdict(Decimal)
    for refund in db.session.scalars(select(Refund)):
        back = db.session.scalars(select(Charge).where(Charge.refund_id == refund.id)).one()
        assert back.amount == refund.amount and back.payment_id == refund.payment_id
        assert (back.status == "refunded") == (refund.status == "refunded")
        if refund.status == "refunded":
            refunded[refund.payment_id] += refund.amount
    payments = list(db.session.scalars(select(PatientPayment)))
    for payment in payments:
        assert payment.total == by_payment[payment.id] == tendered[payment.id], payment.id
        assert payment.refunded == refunded[payment.id]
    insured = db.session.scalar(
        select(func.sum(PaymentTender.amount)).where(PaymentTender.method == "insurance")
    )
    covered = db.session.scalar(select(func.sum(PatientPayment.covered)))
    assert Decimal(str(insured)) == Decimal(str(covered)) > 0


def settlements_agree() -> None:
    """Each settlement is what the settle service adds up for its payments and refunds."""
    from core.api import db
    from plugins.his.models import PatientPayment, PaymentTender, Refund, Settlement

    settlements = list(db.session.scalars(select(Settlement)))
    assert settlements
    for settlement in settlements:
        collected: dict[str, Decimal] = defaultdict(Decimal)
        payments = list(
            db.session.scalars(
                select(PatientPayment).where(PatientPayment.settlement_id == settlement.id)
            )
        )
        for payment in payments:
            assert payment.cashier_id == settlement.cashier_id
            for tender in db.session.scalars(
                select(PaymentTender).where(PaymentTender.payment_id == payment.id)
            ):
                collected[tender.method] += tender.amount
        given: dict[str, Decimal] = defaultdict(Decimal)
        refunds = list(
            db.session.scalars(select(Refund).where(Refund.settlement_id == settlement.id))
        )
        for refund in refunds:
            given[refund.method] += refund.amount
        assert settlement.payment_count == len(payments)
        assert settlement.refund_count == len(refunds)
        assert {k: Decimal(v) for k, v in settlement.collected.items()} == dict(collected)
        assert {k: Decimal(v) for k, v in settlement.refunded.items()} == dict(given)
        assert settlement.cash_in_drawer == collected["cash"] - given["cash"]


def reports_agree() -> None:
    from core.api import db
    from core.models import User
    from plugins.his.models import Charge, PatientPayment, Visit
    from plugins.his.services.bookings.rules import local_today
    from plugins.his.services.reports import revenue_figures, visit_figures

    admin = db.session.scalars(select(User).where(User.email == "bench.admin@example.com")).one()
    today = local_today()
    period = (today - timedelta(days=DAYS - 1), today)
    visits = visit_figures(admin, period)
    assert visits["total"] == db.session.scalar(select(func.count()).select_from(Visit)) > 0
    revenue = revenue_figures(admin, period)
    paid = db.session.scalar(
        select(func.sum(Charge.amount)).where(Charge.status.in_(("paid", "refunded")))
    )
    in_period = db.session.scalar(select(func.count()).select_from(PatientPayment))
    assert in_period and revenue["totals"]["charged"] <= Decimal(str(paid))
    assert revenue["totals"]["charged"] > 0


def test_who_sees_every_patient_finds_them_row_by_row_and_none_in_the_bin(app):
    """The search box's scope for an admin (checked per found patient, not
    against a list of every customer): a patient whose customer is in the
    recycle bin is not found, and nobody is outside the admin's sight."""
    from core.api import db
    from core.services.customers import delete_customer
    from core.services.users import create_user, ensure_default_roles
    from plugins.his.services.patients import find_patients, register
    from plugins.his.services.patients.find import outside_care

    ensure_default_roles()
    admin = create_user(
        {"email": "a@example.com", "name": "Admin", "password": "bench password 1"},
        None,
        role="admin",
    )
    kept = register({"name": "王秀英", "phone": "+86 139 0000 1001"}, admin)
    binned = register({"name": "王秀兰", "phone": "+86 139 0000 1002"}, admin)
    db.session.commit()
    delete_customer(binned.customer, admin)
    db.session.commit()
    assert [p.id for p in db.session.scalars(find_patients(admin, kept.mrn))] == [kept.id]
    assert list(db.session.scalars(find_patients(admin, binned.mrn))) == []
    assert list(db.session.scalars(find_patients(admin, "139 0000 1002"))) == []
    assert [p.id for p in db.session.scalars(find_patients(admin, ""))] == [kept.id]
    assert outside_care(binned.mrn, admin) == []
