"""Patients imported through core's imports API (``/api/v1/imports``):
each row registered as a person with a numbered medical record, the
national ID checked as the registration desk checks it (per-row errors by
field), a duplicate found by ID number or phone and name, updated or
skipped, the import undone, and the target kept from a user who may not
register patients."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from core.api import Customer, DataScope, Role, db
from plugins.his.models import Patient

from .patient_fixtures import CHILD_ID, MAN_ID, WOMAN_ID

ROWS = (
    "姓名,性别,出生日期,身份证号,手机,过敏史\n"
    f"王军,男,1990/3/7,{MAN_ID},13800138000,青霉素\n"
    f"李梅,女,,{WOMAN_ID},13800138002,\n"
    "张三,男,,110101199003070039,13800138005,\n"
    f"赵四,男,,{WOMAN_ID},,\n"
    f"小红,女,,{CHILD_ID},13800138009,\n"
)


@pytest.fixture
def api(make_user, as_user):
    return as_user(make_user(role="admin"))


def upload(api, text: str) -> dict:
    made = api.post(
        "/api/v1/imports/jobs",
        data={"file": (io.BytesIO(text.encode("gbk")), "patients.csv"), "target": "his.patient"},
        content_type="multipart/form-data",
    )
    assert made.status_code == 201, made.json
    return made.json


def run(api, job_id: int, **configure) -> dict:
    assert api.put(f"/api/v1/imports/jobs/{job_id}/mapping", json=configure).status_code == 200
    assert api.post(f"/api/v1/imports/jobs/{job_id}/run").status_code == 202
    return api.get(f"/api/v1/imports/jobs/{job_id}").json


def live_patients() -> list[Patient]:
    db.session.expire_all()
    query = (
        select(Patient)
        .join(Customer, Customer.id == Patient.customer_id)
        .where(Customer.deleted_at.is_(None))
        .order_by(Patient.id)
    )
    return list(db.session.scalars(query))


def test_patients_are_registered_and_bad_identities_refused_by_field(api):
    job = upload(api, ROWS)
    assert job["mapping"] == {
        "姓名": "name",
        "性别": "sex",
        "出生日期": "birth_date",
        "身份证号": "national_id",
        "手机": "phone",
        "过敏史": "allergies",
    }
    preview = api.get(f"/api/v1/imports/jobs/{job['id']}/preview").json
    errors = {row["line"]: sorted(row["errors"]) for row in preview["rows"] if row["errors"]}
    assert errors == {4: ["national_id"], 5: ["sex"], 6: ["guardian_name", "guardian_phone"]}
    done = run(api, job["id"])
    assert (done["created"], done["failed"]) == (2, 3)
    wang, li = live_patients()
    assert (wang.customer.name, wang.customer.kind.value) == ("王军", "person")
    assert (wang.sex, wang.birth_date, wang.allergies) == ("M", date(1990, 3, 7), ["青霉素"])
    assert wang.mrn.startswith("MR") and wang.national_id == MAN_ID
    assert (li.sex, li.birth_date) == ("F", date(1982, 2, 12))  # as the number holds


def test_a_duplicate_by_id_or_phone_and_name_is_updated_or_skipped_and_undone(api):
    first = run(api, upload(api, ROWS)["id"])
    assert first["created"] == 2
    again = f"姓名,身份证号,手机,过敏史\n王军,{MAN_ID},,头孢\n李梅,,13800138002,花粉\n"
    skipped = run(api, upload(api, again)["id"], on_duplicate="skip")
    assert (skipped["skipped"], skipped["created"]) == (2, 0)
    job = upload(api, again)
    updated = run(api, job["id"], on_duplicate="update")
    assert (updated["updated"], updated["created"]) == (2, 0)
    assert [p.allergies for p in live_patients()] == [["青霉素", "头孢"], ["花粉"]]
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/undo").status_code == 200
    assert [p.allergies for p in live_patients()] == [["青霉素"], []]


def test_undo_moves_the_registered_people_to_the_recycle_bin(api):
    job = run(api, upload(api, ROWS)["id"])
    assert len(live_patients()) == 2
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/undo").status_code == 200
    assert live_patients() == []
    binned = db.session.scalars(select(Customer).where(Customer.deleted_at.is_not(None))).all()
    assert sorted(c.name for c in binned) == ["李梅", "王军"]


def test_a_user_who_may_not_register_patients_cannot_pick_the_target(make_user, as_user):
    db.session.add(
        Role(
            name="clerk",
            permissions=["customer.read", "customer.import", "his.patient.read"],
            scope=DataScope.all,
        )
    )
    db.session.commit()
    api = as_user(make_user(role="clerk"))
    assert "his.patient" not in [t["name"] for t in api.get("/api/v1/imports/targets").json]
    refused = api.post(
        "/api/v1/imports/jobs",
        data={"file": (io.BytesIO("姓名\n王军\n".encode()), "p.csv"), "target": "his.patient"},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
