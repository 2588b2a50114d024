"""The visit page's Prescriptions and Examinations blocks: a doctor writes a
draft through the form (blank rows left out), sees its allergy warning,
is refused signing without a reason and signs with one, the override shown;
orders an examination, a nurse enters its result; the results' CSV import
page; the formulary pages (``his.admin``); all in both languages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.api import db
from plugins.his.models import Drug, ExamOrder, Patient, Prescription

from .booking_fixtures import clinic  # noqa: F401
from .orders_fixtures import formulary  # noqa: F401
from .visit_fixtures import started


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _row(n: int, drug: Drug, **fields) -> dict:
    values = {"drug_id": drug.id, "dose": "500", "dose_unit": "mg", "route": "oral"}
    values |= {"frequency": "tid", "days": "5", "quantity": "2", **fields}
    return {f"{name}-{n}": value for name, value in values.items()}


def test_a_doctor_prescribes_and_signs_over_an_allergy_on_the_page(clinic, formulary, login_as):
    visit = started(clinic)
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == visit.customer_id))
    patient.allergies = ["penicillin"]
    db.session.commit()
    client = login_as(clinic.li)
    page = client.get(f"/his/visits/{visit.id}")
    assert page.status_code == 200 and "New prescription" in page.text
    token = _csrf(page.text)
    bad = client.post(
        f"/his/visits/{visit.id}/prescriptions",
        data={"csrf_token": token, **_row(1, formulary.amoxicillin, quantity="0")},
    )
    assert bad.status_code == 422 and "quantity" in bad.text
    assert db.session.scalar(select(Prescription)) is None
    made = client.post(
        f"/his/visits/{visit.id}/prescriptions",
        data={"csrf_token": token, **_row(1, formulary.amoxicillin), "drug_id-2": ""},
    )
    assert made.status_code == 302
    draft = db.session.scalar(select(Prescription))
    assert [ln.drug_id for ln in draft.lines] == [formulary.amoxicillin.id]
    shown = client.get(f"/his/visits/{visit.id}").text
    field = f"reason-{draft.lines[0].id}-allergy"
    assert f'name="{field}"' in shown and "penicillin" in shown
    url = f"/his/prescriptions/{draft.id}/sign"
    refused = client.post(url, data={"csrf_token": token, "version": draft.version})
    assert refused.status_code == 422 and "give a reason" in refused.text
    signed = client.post(
        url, data={"csrf_token": token, "version": draft.version, field: "tolerated before"}
    )
    assert signed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Prescription, draft.id).status == "signed"
    after = client.get(f"/his/visits/{visit.id}").text
    assert "tolerated before" in after and "Sign prescription" not in after


def test_an_examination_is_ordered_and_a_nurse_enters_its_result(clinic, formulary, login_as):
    visit = started(clinic)
    doctor = login_as(clinic.li)
    token = _csrf(doctor.get(f"/his/visits/{visit.id}").text)
    made = doctor.post(
        f"/his/visits/{visit.id}/exam-orders",
        data={"csrf_token": token, "item_code": "LAB-CBC", "note": ""},
    )
    assert made.status_code == 302
    order = db.session.scalar(select(ExamOrder))
    nurse = login_as(clinic.nurse)
    page = nurse.get(f"/his/visits/{visit.id}")
    assert (
        page.status_code == 200 and "Save result" in page.text and "Order</button>" not in page.text
    )
    token = _csrf(page.text)
    url = f"/his/exam-orders/{order.id}/result"
    empty = nurse.post(url, data={"csrf_token": token, "version": order.version, "value": ""})
    assert empty.status_code == 422
    done = nurse.post(
        url, data={"csrf_token": token, "version": order.version, "value": "5.2", "flag": "normal"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(ExamOrder, order.id).result_value == "5.2"


def test_results_are_imported_from_a_csv_page(clinic, formulary, login_as, as_user):
    visit = started(clinic)
    made = (
        as_user(clinic.li)
        .post("/api/v1/his/exam-orders", json={"visit_id": visit.id, "item_code": "IMG-CXR"})
        .json
    )
    nurse = login_as(clinic.nurse)
    page = nurse.get("/his/exam-orders/import")
    assert page.status_code == 200
    token = _csrf(page.text)
    from io import BytesIO

    bad = nurse.post(
        "/his/exam-orders/import",
        data={"csrf_token": token, "file": (BytesIO(b"order,text\nEX-NONE,x\n"), "r.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "EX-NONE" not in bad.text and ">2<" in bad.text
    good = f"order,text\n{made['number']},No infiltrate\n".encode()
    done = nurse.post(
        "/his/exam-orders/import",
        data={"csrf_token": token, "file": (BytesIO(good), "r.csv")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    assert db.session.get(ExamOrder, made["id"]).result_text == "No infiltrate"


def test_the_formulary_pages_add_and_edit_a_drug(app, make_user, login_as):
    admin = login_as(make_user(role="admin"))
    page = admin.get("/his/drugs/new")
    assert page.status_code == 200
    token = _csrf(page.text)
    form = {"csrf_token": token, "code": "MET500", "generic_name": "Metformin", "form": "tablet"}
    missing = admin.post("/his/drugs/new", data={**form, "unit": "box"})
    assert missing.status_code == 422 and 'id="e-price"' in missing.text
    made = admin.post(
        "/his/drugs/new", data={**form, "unit": "box", "price": "12.00", "name_zh": "二甲双胍"}
    )
    assert made.status_code == 302
    drug = db.session.scalar(select(Drug).where(Drug.code == "MET500"))
    assert drug.name_zh == "二甲双胍" and drug.currency and drug.active
    listed = admin.get("/his/drugs?q=二甲")
    assert "MET500" in listed.text
    edited = admin.post(
        f"/his/drugs/{drug.id}/edit",
        data={
            **form,
            "unit": "box",
            "price": "13.50",
            "version": drug.version,
            "active__present": "1",
        },
    )
    assert edited.status_code == 302
    db.session.expire_all()
    assert (str(drug.price), drug.active) == ("13.50", False)
    doctor = login_as(make_user(role="his_doctor"))
    assert doctor.get("/his/drugs").status_code == 403


@pytest.mark.parametrize("locale", ["en", "zh_Hans_CN"])
def test_the_order_blocks_render_in_both_languages(clinic, formulary, as_user, login_as, locale):
    from core.testing.pages import untranslated

    visit = started(clinic)
    li = as_user(clinic.li)
    li.post("/api/v1/his/exam-orders", json={"visit_id": visit.id, "item_code": "LAB-CBC"})
    li.post(
        "/api/v1/his/prescriptions",
        json={
            "visit_id": visit.id,
            "lines": [
                {
                    "drug_id": formulary.ibuprofen.id,
                    "dose": "200",
                    "dose_unit": "mg",
                    "route": "oral",
                    "frequency": "bid",
                    "days": 3,
                    "quantity": 1,
                }
            ],
        },
    )
    clinic.li.locale = locale
    db.session.commit()
    client = login_as(clinic.li)
    for url in (f"/his/visits/{visit.id}", "/his/exam-orders/import"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert 'style="' not in page.text and " onclick=" not in page.text
        if locale != "en":
            assert untranslated(page.text, locale) == [], (url, untranslated(page.text, locale))
