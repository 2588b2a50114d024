"""Finding patients in one box — by medical record number, national ID,
phone or name — always within the reader's scope, and recording a death:
the patient's open follow-ups are closed and no recall comes due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.api import Activity, DataScope, Role, create_followup_plan, db, log_activity, utcnow
from plugins.his.models import Patient, Visit

from .patient_fixtures import WOMAN_ID, hospital, man, register  # noqa: F401


@pytest.fixture
def two(as_user, hospital):
    """Wang Jun, Dr Li's cardiology patient, and Zhao Li, Dr Zhou's in dermatology."""
    clerk = as_user(hospital.clerk)
    wang = register(clerk, **man(hospital)).json
    zhao = register(
        clerk,
        name="Zhao Li",
        phone="+86 139 0000 1111",
        national_id=WOMAN_ID,
        owner_id=hospital.zhou.id,
        team_id=hospital.dermatology.id,
    ).json
    return wang, zhao


def _found(client, q: str) -> list[str]:
    answer = client.get("/api/v1/his/patients", query_string={"q": q})
    assert answer.status_code == 200, answer.json
    return sorted(p["name"] for p in answer.json["items"])


def test_one_box_finds_by_record_number_id_phone_and_name(as_user, hospital, two):
    wang, zhao = two
    clerk = as_user(hospital.clerk)
    assert _found(clerk, wang["mrn"]) == ["Wang Jun"]
    assert _found(clerk, wang["mrn"].lower()) == ["Wang Jun"]
    assert _found(clerk, WOMAN_ID) == ["Zhao Li"]
    assert _found(clerk, WOMAN_ID[:-1]) == []  # an ID is found whole, never by a part
    assert _found(clerk, "13900001111") == ["Zhao Li"]
    assert _found(clerk, "139 0000 1111") == ["Zhao Li"]
    assert _found(clerk, "Zhao") == ["Zhao Li"]
    assert _found(clerk, "wan") == ["Wang Jun"]  # a name's start
    assert _found(clerk, "Nobody") == []
    assert _found(clerk, "") == ["Wang Jun", "Zhao Li"]


def test_a_chinese_name_is_found_by_any_part(as_user, hospital):
    clerk = as_user(hospital.clerk)
    register(clerk, name="欧阳娜娜", sex="F", birth_date="1990-01-01")
    assert _found(clerk, "阳娜") == ["欧阳娜娜"]


def test_a_doctor_finds_and_opens_only_their_departments_patients(as_user, hospital, two):
    wang, zhao = two
    li = as_user(hospital.li)
    assert _found(li, "") == ["Wang Jun"]
    for q in (zhao["mrn"], WOMAN_ID, "13900001111", "Zhao"):
        assert _found(li, q) == []
    assert li.get(f"/api/v1/his/patients/{zhao['id']}").status_code == 404
    assert li.patch(f"/api/v1/his/patients/{zhao['id']}", json={"allergies": []}).status_code == 404
    assert (
        li.post(
            f"/api/v1/his/patients/{zhao['id']}/deceased", json={"deceased_on": "2026-01-01"}
        ).status_code
        == 404
    )
    assert li.get(f"/api/v1/his/patients/{wang['id']}").status_code == 200
    assert as_user(hospital.zhou).get(f"/api/v1/his/patients/{wang['id']}").status_code == 404


def test_a_hidden_phone_does_not_find_a_patient(as_user, hospital, two, make_user):
    db.session.add(
        Role(
            name="his_no_phones",
            permissions=["customer.read", "his.patient.read"],
            scope=DataScope.all,
            hidden_fields=["customer.phones"],
        )
    )
    db.session.commit()
    reader = as_user(make_user(role="his_no_phones"))
    assert _found(reader, "13900001111") == []
    assert _found(reader, "Zhao") == ["Zhao Li"]
    items = reader.get("/api/v1/his/patients").json["items"]
    assert all(p["phones"] is None for p in items)


def test_a_death_closes_follow_ups_and_stops_recalls(as_user, hospital, two, run_due):
    wang, zhao = two
    for patient in (wang, zhao):
        db.session.add(
            Visit(
                customer_id=patient["customer_id"],
                department="Cardiology",
                doctor_id=hospital.li.id,
                visited_at=utcnow() - timedelta(days=13),
                follow_up_days=14,
            )
        )
        db.session.add(  # a second visit whose recall is not due yet
            Visit(
                customer_id=patient["customer_id"],
                department="Cardiology",
                doctor_id=hospital.li.id,
                visited_at=utcnow() - timedelta(days=1),
                follow_up_days=10,
            )
        )
    db.session.commit()
    create_followup_plan({"name": "随访", "rule": "his_recall", "params": {"days_before": 2}}, None)
    assert run_due().created == 2
    manual = log_activity(  # a task someone planned by hand stays theirs to close
        {
            "kind": "task",
            "subject": "Send the discharge letter",
            "customer_id": wang["customer_id"],
            "due_at": (utcnow() + timedelta(days=1)).isoformat(),
        },
        hospital.li,
    )
    clerk = as_user(hospital.clerk)
    url = f"/api/v1/his/patients/{wang['id']}/deceased"
    future = clerk.post(url, json={"deceased_on": "2999-01-01"})
    assert future.status_code == 422 and list(future.json["errors"]) == ["deceased_on"]
    stale = clerk.post(url, json={"deceased_on": "2026-11-30", "version": wang["version"] + 5})
    assert stale.status_code == 409
    done = clerk.post(url, json={"deceased_on": "2026-11-30", "version": wang["version"]})
    assert done.status_code == 200, done.json
    assert (done.json["deceased"], done.json["deceased_on"]) == (True, "2026-11-30")
    again = clerk.post(url, json={"deceased_on": "2026-11-30"})
    assert again.status_code == 409 and list(again.json["errors"]) == ["deceased_on"]
    tasks = db.session.scalars(
        select(Activity).where(Activity.plan_id.is_not(None)).order_by(Activity.customer_id)
    ).all()
    closed = {t.customer_id: (t.done_at is not None, t.outcome) for t in tasks}
    assert closed == {wang["customer_id"]: (True, "deceased"), zhao["customer_id"]: (False, None)}
    db.session.refresh(manual)
    assert manual.done_at is None
    # the later visits' recalls come due: only the living patient's is made
    later = utcnow() + timedelta(days=9)
    assert run_due(later).created == 1
    made = db.session.scalars(select(Activity.customer_id).where(Activity.plan_id.is_not(None)))
    assert sorted(made) == sorted([wang["customer_id"], zhao["customer_id"], zhao["customer_id"]])
    assert db.session.get(Patient, wang["id"]).deceased
