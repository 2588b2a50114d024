"""Inpatient care's first slice in a real browser, in English and in
Chinese: the doctor admits a patient into a bed with a deposit, the ward's
bed board (at phone width) shows the patient with the days in, the patient
is transferred to another bed, discharged with a diagnosis and a note, and
the admission's page shows the post-discharge follow-up plan (days 7 and
30); the bed left goes to cleaning and a nurse sets it free.

The department, the ward with its beds and the patient are set up through
the services. Chinese pages show no catalogue message in English."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.api import create_customer, db
from plugins.his.models import Admission, Bed, FollowupStep, Patient
from plugins.his.services import clinic, inpatient
from plugins.his.services.followup import local_day

from .test_outpatient_day import NARROW, WIDE, check_words, fits, said, sign_in

NAME = {"en": "Zhao Min", "zh_CN": "赵敏"}


@pytest.fixture
def ward(make_user):
    def build(locale: str) -> SimpleNamespace:
        admin = make_user(role="admin", locale=locale)
        department = clinic.create_department({"code": "CARD", "name": "Cardiology"}, admin)
        doctor = make_user(role="his_doctor", team=department.team, name="Dr Li", locale=locale)
        nurse = make_user(role="his_nurse", team=department.team, name="Nurse Wu", locale=locale)
        ward = inpatient.create_ward(
            {"code": "C1", "name": "Cardiology ward", "department_id": department.id}, admin
        )
        beds = [
            inpatient.create_bed({"ward_id": ward.id, "code": code}, admin)
            for code in ("01", "02", "03")
        ]
        fields = {"name": NAME[locale], "kind": "person", "team_id": department.team_id}
        customer = create_customer(fields, None).customer
        db.session.add(Patient(customer_id=customer.id, mrn="MRIP0001"))
        db.session.commit()
        return SimpleNamespace(
            department=department,
            doctor=doctor,
            nurse=nurse,
            ward=ward,
            beds=beds,
            customer=customer,
        )

    return build


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_admit_board_transfer_discharge_followup(page: Page, live_server, ward, shoot, locale):
    h = ward(locale)
    base = live_server
    english: dict[str, list[str]] = {}
    first, second = h.beds[0], h.beds[1]

    # 1. the doctor admits the patient into bed 01 with a deposit
    sign_in(page, base, h.doctor.email)
    page.set_viewport_size(WIDE)
    page.goto(f"{base}/his/admissions/new?customer_id={h.customer.id}")
    expect(page.locator("select[name=customer_id]")).to_have_value(str(h.customer.id))
    check_words(page, locale, english)
    page.locator("select[name=department_id]").select_option(str(h.department.id))
    page.locator("select[name=ward_id]").select_option(str(h.ward.id))
    page.locator("select[name=bed_id]").select_option(str(first.id))
    page.locator("select[name=doctor_id]").select_option(str(h.doctor.id))
    page.locator("input[name=diagnosis_code]").fill("I21.9")
    page.locator("input[name=deposit]").fill("1000.00")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("#admission-bed")).to_have_text("01")
    check_words(page, locale, english)
    db.session.expire_all()
    admission = db.session.scalar(select(Admission))
    assert admission is not None and admission.bed_id == first.id

    # 2. the bed board, at phone width, shows the patient and the days in
    page.set_viewport_size(NARROW)
    page.goto(f"{base}/his/wards/{h.ward.id}")
    expect(page.locator(f"#bed-{first.id}")).to_contain_text(NAME[locale])
    expect(page.locator(f"#bed-{first.id}")).to_contain_text(
        said(locale, "Days in: %(num)d", num=1)
    )
    expect(page.locator(f"#bed-{second.id}")).to_contain_text(said(locale, "Free"))
    check_words(page, locale, english)
    assert fits(page)

    # 3. transfer to bed 02: bed 01 goes to cleaning
    page.set_viewport_size(WIDE)
    page.goto(f"{base}/his/admissions/{admission.id}")
    page.locator("#transfer-form select[name=bed_id]").select_option(str(second.id))
    page.locator("#transfer-form button[type=submit]").click()
    expect(page.locator("#admission-bed")).to_have_text("02")
    check_words(page, locale, english)

    # 4. discharge with a diagnosis and a note: the follow-up plan shows
    page.locator("#discharge-form input[name=diagnosis_code]").fill("I21.4")
    page.locator("#discharge-form textarea[name=note]").fill("Stable, home.")
    page.locator("#discharge-form button[type=submit]").click()
    expect(page.locator("#discharge-followup li")).to_have_count(2)
    check_words(page, locale, english)
    db.session.expire_all()
    admission = db.session.get(Admission, admission.id)
    assert admission.status == "discharged" and admission.followup_plan_id is not None
    days = db.session.scalars(
        select(FollowupStep.due_on)
        .where(FollowupStep.plan_id == admission.followup_plan_id)
        .order_by(FollowupStep.number)
    ).all()
    base_day = local_day(admission.discharged_at)
    assert days == [base_day + timedelta(days=7), base_day + timedelta(days=30)]

    # 5. the nurse sets the cleaned beds free from the board
    sign_in(page, base, h.nurse.email)
    page.set_viewport_size(NARROW)
    page.goto(f"{base}/his/wards/{h.ward.id}")
    expect(page.locator(f"#bed-{first.id}")).to_contain_text(said(locale, "Cleaning"))
    expect(page.locator(f"#bed-{second.id}")).not_to_contain_text(NAME[locale])
    page.locator(f"#bed-{first.id} form button[type=submit]").click()
    expect(page.locator(f"#bed-{first.id} .badge")).to_have_text(said(locale, "Free"))
    check_words(page, locale, english)
    db.session.expire_all()
    assert db.session.get(Bed, first.id).state == "free"
    shoot(page, f"his-inpatient-path-{locale}")
    assert english == {}, english  # every page of the path in Chinese
