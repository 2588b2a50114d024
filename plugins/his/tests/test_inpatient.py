"""Inpatient care, first slice: wards and beds, admit (one open admission
per patient, a deposit, the timeline and the event), a bed that is not free
refused naming ``bed_id`` — also when another nurse takes it between the
check and the write — transfer, discharge freeing the bed and starting the
day 7 and day 30 follow-up plan, the API's 422/409 by field, the scope (a
doctor of another department sees nothing of the admission) and the pages."""

from __future__ import annotations

import importlib
import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import func, select

from core.api import Activity, StateError, ValidationError, db
from plugins.his.models import Admission, Bed, Deposit, FollowupPlan, FollowupStep, Patient
from plugins.his.services import inpatient
from plugins.his.services.followup import local_day

from .booking_fixtures import clinic  # noqa: F401

wards_module = importlib.import_module("plugins.his.services.inpatient.wards")
admissions_module = importlib.import_module("plugins.his.services.inpatient.admissions")


@pytest.fixture
def hospital(clinic, make_user, make_customer):
    clinic.admin = make_user(role="admin", name="Admin He")
    clinic.ward = inpatient.create_ward(
        {"code": "C3", "name": "Cardiology ward 3", "department_id": clinic.cardiology.id},
        clinic.admin,
    )
    clinic.other_ward = inpatient.create_ward(
        {"code": "D1", "name": "Dermatology ward 1", "department_id": clinic.dermatology.id},
        clinic.admin,
    )
    clinic.beds = [
        inpatient.create_bed({"ward_id": clinic.ward.id, "code": f"0{n}"}, clinic.admin)
        for n in (1, 2, 3)
    ]
    clinic.other_bed = inpatient.create_bed(
        {"ward_id": clinic.other_ward.id, "code": "01"}, clinic.admin
    )

    def person(name="Zhang Wei"):
        customer = make_customer(kind="person", name=name, team_id=clinic.cardiology.team_id)
        db.session.add(Patient(customer_id=customer.id, mrn=f"IP{customer.id:05}"))
        db.session.commit()
        return customer

    clinic.person = person
    return clinic


def _admit(h, customer, bed=None, **fields):
    payload = {
        "customer_id": customer.id,
        "department_id": h.cardiology.id,
        "ward_id": h.ward.id,
        "bed_id": (bed or h.beds[0]).id,
        "doctor_id": h.li.id,
        "diagnosis_code": "i21.9",
        **fields,
    }
    return inpatient.admit(payload, h.li)


def _bed(bed) -> Bed:
    db.session.expire_all()
    return db.session.get(Bed, bed.id)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_admit_with_a_bed_and_a_deposit(hospital):
    customer = hospital.person()
    admission = _admit(hospital, customer, deposit="2000.00", deposit_method="wechat")
    assert admission.status == "admitted" and admission.number.startswith("ZY")
    assert (admission.diagnosis_code, admission.team_id) == ("I21.9", hospital.cardiology.team_id)
    assert "myocardial" in admission.diagnosis_name.lower()
    bed = _bed(hospital.beds[0])
    assert (bed.state, bed.admission_id) == ("occupied", admission.id)
    deposit = db.session.scalar(select(Deposit))
    assert (deposit.amount, deposit.method) == (Decimal("2000.00"), "wechat")
    entry = db.session.scalar(
        select(Activity).where(
            Activity.customer_id == customer.id, Activity.link_type == "his_admission"
        )
    )
    assert entry is not None and "I21.9" in entry.subject


def test_the_events_fire_after_the_commit(hospital, trellis_register_plugin):
    from core.testing import plugin_module

    heard: list[tuple[str, int, str]] = []
    trellis_register_plugin(
        plugin_module(
            "probe",
            trellis_his_patient_admitted=lambda admission: heard.append(
                ("admitted", admission.id, admission.status)
            ),
            trellis_his_patient_discharged=lambda admission: heard.append(
                ("discharged", admission.id, admission.status)
            ),
        )
    )
    admission = _admit(hospital, hospital.person())
    inpatient.discharge(admission, {"diagnosis_code": "I21.9"}, hospital.li)
    assert heard == [
        ("admitted", admission.id, "admitted"),
        ("discharged", admission.id, "discharged"),
    ]


def test_a_purge_deletes_the_admission_and_its_deposit(hospital, as_user, make_user):
    customer = hospital.person()
    admission = _admit(hospital, customer, deposit="100.00")
    inpatient.discharge(admission, {"diagnosis_code": "I21.9"}, hospital.li)
    api = as_user(make_user(role="admin"))
    assert api.delete(f"/api/v1/customers/{customer.id}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{customer.id}").status_code == 204
    db.session.expire_all()
    assert _count(Admission) == 0 and _count(Deposit) == 0 and _count(FollowupPlan) == 0


def test_one_open_admission_per_patient(hospital):
    customer = hospital.person()
    _admit(hospital, customer)
    with pytest.raises(StateError) as refused:
        _admit(hospital, customer, bed=hospital.beds[1])
    assert "customer_id" in refused.value.errors
    assert _count(Admission) == 1 and _bed(hospital.beds[1]).state == "free"


def test_an_occupied_bed_is_refused_naming_bed(hospital):
    _admit(hospital, hospital.person("A"))
    with pytest.raises(StateError) as refused:
        _admit(hospital, hospital.person("B"))
    assert list(refused.value.errors) == ["bed_id"]
    assert _count(Admission) == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"diagnosis_code": "XYZ.9"}, "diagnosis_code"),
        ({"ward_id": "other"}, "ward_id"),
        ({"deposit": "-1"}, "deposit"),
    ],
)
def test_bad_input_is_refused_by_field(hospital, fields, field):
    if fields.get("ward_id") == "other":
        fields = {"ward_id": hospital.other_ward.id, "bed_id": hospital.other_bed.id}
    with pytest.raises(ValidationError) as refused:
        _admit(hospital, hospital.person(), **fields)
    assert field in refused.value.errors
    assert _count(Admission) == 0


def test_two_nurses_assigning_one_bed_one_wins(hospital, monkeypatch):
    """This nurse's check finds the bed free, then another nurse on her own
    connection admits a patient into it; the conditional UPDATE finds it
    taken: a 409 naming bed_id, nothing of this admission written."""
    first, second = hospital.person("First"), hospital.person("Second")
    app = current_app._get_current_object()
    real = admissions_module._check_admit
    won: list[int] = []
    started: list[bool] = []

    def check_then_lose(data, actor):
        real(data, actor)
        if started:
            return
        started.append(True)
        errors: list[BaseException] = []

        def other():
            with app.app_context():
                try:
                    won.append(_admit(hospital, first).id)
                except BaseException as exc:  # reported below
                    errors.append(exc)
                finally:
                    db.session.remove()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert not errors, errors

    monkeypatch.setattr(admissions_module, "_check_admit", check_then_lose)
    with pytest.raises(StateError) as refused:
        _admit(hospital, second)
    assert list(refused.value.errors) == ["bed_id"]
    db.session.expire_all()
    rows = db.session.scalars(select(Admission)).all()
    assert [a.customer_id for a in rows] == [first.id]
    assert _bed(hospital.beds[0]).admission_id == won[0]


def test_take_bed_is_conditional(hospital):
    assert wards_module.take_bed(hospital.beds[2].id, 901) is True
    assert wards_module.take_bed(hospital.beds[2].id, 902) is False
    db.session.commit()
    assert _bed(hospital.beds[2]).admission_id == 901


def test_transfer_frees_the_old_bed_to_cleaning_then_free(hospital):
    admission = _admit(hospital, hospital.person())
    with pytest.raises(StateError) as refused:
        inpatient.transfer(admission, {"bed_id": hospital.beds[0].id}, hospital.li)
    assert "bed_id" in refused.value.errors
    inpatient.transfer(admission, {"bed_id": hospital.other_bed.id}, hospital.li)
    assert (admission.ward_id, admission.department_id) == (
        hospital.other_ward.id,
        hospital.dermatology.id,
    )
    old = _bed(hospital.beds[0])
    assert (old.state, old.admission_id) == ("cleaning", None)
    assert _bed(hospital.other_bed).state == "occupied"
    with pytest.raises(StateError):
        inpatient.set_bed_state(old, {"state": "reserved"}, hospital.nurse)
    inpatient.set_bed_state(old, {"state": "free"}, hospital.nurse)
    assert _bed(hospital.beds[0]).state == "free"


def test_discharge_frees_the_bed_and_starts_the_day_7_and_30_plan(hospital):
    customer = hospital.person()
    admission = _admit(hospital, customer)
    inpatient.discharge(admission, {"diagnosis_code": "I21.4", "note": "Stable."}, hospital.li)
    assert admission.status == "discharged" and admission.discharge_code == "I21.4"
    assert _bed(hospital.beds[0]).state == "cleaning"
    plan = db.session.get(FollowupPlan, admission.followup_plan_id)
    assert plan.customer_id == customer.id and plan.template.starts_after == "discharge"
    assert plan.template.plan_id is not None  # core's engine makes its tasks
    base = local_day(admission.discharged_at)
    steps = db.session.scalars(
        select(FollowupStep).where(FollowupStep.plan_id == plan.id).order_by(FollowupStep.number)
    ).all()
    assert [s.due_on for s in steps] == [base + timedelta(days=7), base + timedelta(days=30)]
    with pytest.raises(StateError) as again:
        inpatient.discharge(admission, {"diagnosis_code": "I21.4"}, hospital.li)
    assert "status" in again.value.errors
    # the discharge template never starts a plan after an outpatient visit
    from plugins.his.services.followup import matching_templates

    assert matching_templates(hospital.cardiology.id, ["I21.4"], []) == []
    entries = db.session.scalars(
        select(Activity.subject).where(Activity.link_type == "his_admission")
    ).all()
    assert len(entries) == 2


def test_the_api_admits_transfers_and_discharges(hospital, as_user):
    li = as_user(hospital.li)
    customer = hospital.person()
    body = {
        "customer_id": customer.id,
        "department_id": hospital.cardiology.id,
        "ward_id": hospital.ward.id,
        "bed_id": hospital.beds[0].id,
        "doctor_id": hospital.li.id,
        "diagnosis_code": "I21.9",
        "deposit": "500.00",
    }
    bad = li.post("/api/v1/his/admissions", json=body | {"diagnosis_code": "nope"})
    assert bad.status_code == 422 and "diagnosis_code" in bad.json["errors"]
    made = li.post("/api/v1/his/admissions", json=body)
    assert made.status_code == 201, made.json
    assert made.json["deposits"][0]["amount"] == "500.00"
    again = li.post("/api/v1/his/admissions", json=body | {"bed_id": hospital.beds[1].id})
    assert again.status_code == 409 and "customer_id" in again.json["errors"]
    other = hospital.person("Other")
    taken = li.post("/api/v1/his/admissions", json=body | {"customer_id": other.id})
    assert taken.status_code == 409 and list(taken.json["errors"]) == ["bed_id"]
    admission_id = made.json["id"]
    moved = li.post(
        f"/api/v1/his/admissions/{admission_id}/transfer", json={"bed_id": hospital.beds[1].id}
    )
    assert moved.status_code == 200 and moved.json["bed_id"] == hospital.beds[1].id
    beds = li.get(f"/api/v1/his/beds?ward_id={hospital.ward.id}&state=cleaning").json
    assert [b["id"] for b in beds["items"]] == [hospital.beds[0].id]
    freed = li.post(f"/api/v1/his/beds/{hospital.beds[0].id}/state", json={"state": "free"})
    assert freed.status_code == 200 and freed.json["state"] == "free"
    out = li.post(
        f"/api/v1/his/admissions/{admission_id}/discharge", json={"diagnosis_code": "I21.9"}
    )
    assert out.status_code == 200 and out.json["followup_plan_id"] is not None
    ward = li.get(f"/api/v1/his/wards/{hospital.ward.id}").json
    assert {b["code"]: b["state"] for b in ward["beds"]}["02"] == "cleaning"


def test_another_department_does_not_see_the_admission(hospital, as_user):
    admission = _admit(hospital, hospital.person())
    zhou = as_user(hospital.zhou)
    assert zhou.get(f"/api/v1/his/admissions/{admission.id}").status_code == 404
    assert zhou.get("/api/v1/his/admissions").json["items"] == []
    assert (
        zhou.post(
            f"/api/v1/his/admissions/{admission.id}/discharge", json={"diagnosis_code": "I21.9"}
        ).status_code
        == 404
    )
    assert inpatient.visible_admission(admission.id, hospital.nurse).id == admission.id
    nurse = as_user(hospital.nurse)
    assert [a["id"] for a in nurse.get("/api/v1/his/admissions").json["items"]] == [admission.id]
    assert as_user(hospital.clerk).get("/api/v1/his/admissions").status_code == 403


def _post(client, url: str, data: dict, page_url: str | None = None):
    page = client.get(page_url or url).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    return client.post(url, data=data | {"csrf_token": token.group(1)})


def test_the_pages_admit_show_the_board_and_discharge(hospital, login_as):
    customer = hospital.person("Liu Yang")
    client = login_as(hospital.li)
    admit_link = f"/his/admissions/new?customer_id={customer.id}"
    assert admit_link in client.get(f"/customers/{customer.id}").text
    made = _post(
        client,
        "/his/admissions/new",
        {
            "customer_id": customer.id,
            "department_id": hospital.cardiology.id,
            "ward_id": hospital.ward.id,
            "bed_id": hospital.beds[1].id,
            "doctor_id": hospital.li.id,
            "diagnosis_code": "I21.9",
            "deposit": "",
            "deposit_method": "cash",
        },
    )
    assert made.status_code == 302, made.text
    admission = db.session.scalar(select(Admission))
    board = client.get(f"/his/wards/{hospital.ward.id}").text
    assert "Liu Yang" in board and "Days in: 1" in board
    refused = _post(
        client,
        f"/his/admissions/{admission.id}/discharge",
        {"diagnosis_code": "nope"},
        f"/his/admissions/{admission.id}",
    )
    assert refused.status_code == 422 and 'id="e-diagnosis_code"' in refused.text
    done = _post(
        client,
        f"/his/admissions/{admission.id}/discharge",
        {"diagnosis_code": "I21.9", "note": "Home."},
        f"/his/admissions/{admission.id}",
    )
    assert done.status_code == 302
    timeline = client.get(f"/customers/{customer.id}?tab=timeline").text
    assert "Admitted: I21.9" in timeline and "Discharged: I21.9" in timeline
    page = client.get(f"/his/admissions/{admission.id}").text
    assert 'id="discharge-followup"' in page
    step = db.session.scalar(select(FollowupStep).order_by(FollowupStep.id))
    assert f"/his/followups/steps/{step.id}" in page
    assert client.get(f"/his/followups/steps/{step.id}").status_code == 200
    assert "Liu Yang" not in client.get(f"/his/wards/{hospital.ward.id}").text
    zhou = login_as(hospital.zhou)
    assert zhou.get(f"/his/admissions/{admission.id}").status_code == 404
    assert "Liu Yang" not in zhou.get("/his/admissions?all=1").text


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_demo_has_a_ward_with_beds_and_one_admitted_patient(locale, make_user):
    from plugins.his.demo import load_demo
    from plugins.his.models import Ward

    load_demo(locale, [], [make_user(role="admin"), make_user(role="his_doctor")])
    db.session.commit()
    ward = db.session.scalar(select(Ward))
    assert ward.name == ("心内科病区" if locale == "zh_CN" else "Cardiology ward")
    states = sorted(b.state for b in ward.beds)
    assert states == ["cleaning", "free", "free", "free", "occupied", "reserved"]
    admission = db.session.scalar(select(Admission))
    assert admission.status == "admitted" and inpatient.days_in(admission) == 4
    assert db.session.scalar(select(Deposit.amount)) == Decimal("3000.00")
