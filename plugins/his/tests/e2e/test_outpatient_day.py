"""The hospital's outpatient day in a real browser, in English and in
Chinese (issue 18's "Done when"): a patient books online at ``/his/book``
with the code texted to their phone (read here from the outbox); the
registration clerk checks them in; the doctor calls the next number from
"My queue", starts the visit, writes the chief complaint, adds an ICD-10
diagnosis through the lookup box, prescribes the drug the patient is
allergic to — signing it with a reason for the override — and closes the
visit; the cashier takes the payment and the receipt shows its number;
the nurse records the follow-up call with a red-flag answer; the doctor
finds the red-flag task on the tasks page; the patient answers the
satisfaction survey through the link texted to them.

What the browser does not do is set up through the services: the
department, today's session, the follow-up template with a red-flag
question, a drug. Chinese pages show no catalogue message in English."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from playwright.sync_api import Page, ViewportSize, expect
from sqlalchemy import select

from core.api import Message, db, translator
from core.testing.pages import untranslated
from plugins.his.models import (
    Booking,
    Diagnosis,
    FollowupPlan,
    FollowupStep,
    Patient,
    PatientPayment,
    Prescription,
    PrescriptionLine,
    RxOverride,
    Survey,
    Visit,
)
from plugins.his.services import clinic, followup
from plugins.his.services.bookings.rules import local_today

from ..orders_fixtures import drug
from ..patient_fixtures import MAN_ID

_, _l = translator("his")
PASSWORD = "correct horse battery"
PHONE, E164 = "13800138000", "+8613800138000"
NARROW: ViewportSize = {"width": 360, "height": 780}
WIDE: ViewportSize = {"width": 1280, "height": 900}
NAME = {"en": "Wang Jun", "zh_CN": "王军"}
QUESTIONS = [
    {"key": "fever", "text": "Any fever?", "kind": "yes_no", "red_flag": {"equals": "yes"}},
    {"key": "note", "text": "Anything else?", "kind": "text"},
]


def sign_in(page: Page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


def said(locale: str, message: str, **params) -> str:
    """``message`` of the his catalogue as a page in ``locale`` shows it."""
    with force_locale(locale):
        return str(_(message, **params))


def check_words(page: Page, locale: str, found: dict[str, list[str]]) -> None:
    """Note the catalogue messages a Chinese page shows in English."""
    if locale == "zh_CN":
        english = untranslated(page.content(), locale)
        if english:
            found[page.url.split("?")[0]] = english


def fits(page: Page) -> bool:
    """The page needs no sideways scrolling at its viewport's width (once a
    navigation a click began has loaded: its document may not exist yet)."""
    page.wait_for_load_state()
    page.wait_for_function("document.documentElement !== null && document.body !== null")
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def latest(purpose: str) -> Message:
    db.session.expire_all()
    row = db.session.scalar(
        select(Message)
        .where(Message.purpose == purpose, Message.to == E164)
        .order_by(Message.id.desc())
        .limit(1)
    )
    assert row is not None, f"no {purpose} message to {E164}"
    return row


@pytest.fixture
def hospital(make_user):
    def build(locale: str) -> SimpleNamespace:
        admin = make_user(role="admin", locale=locale)
        department = clinic.create_department({"code": "RESP", "name": "Respiratory"}, admin)
        doctor = make_user(role="his_doctor", team=department.team, name="Dr Li", locale=locale)
        nurse = make_user(role="his_nurse", team=department.team, name="Nurse Wu", locale=locale)
        clerk = make_user(role="his_registrar", name="Clerk Qian", locale=locale)
        cashier = make_user(role="his_cashier", name="Cashier Zhao", locale=locale)
        session = clinic.plan_session(
            {
                "department_id": department.id,
                "doctor_id": doctor.id,
                "day": local_today().isoformat(),
                "period": "evening",
                "registration_type": "general",
                "fee": "12.50",
                "desk_quota": 2,
                "online_quota": 2,
            },
            admin,
        )
        template = followup.create_template(
            {
                "name": "After a respiratory visit",
                "department_id": department.id,
                "offsets": [1, 7],
                "questions": QUESTIONS,
            },
            admin,
        )
        amoxicillin = drug(
            "AMOX500",
            "Amoxicillin",
            name_zh="阿莫西林",
            strength="500 mg",
            allergen_class="penicillin; 青霉素",
        )
        amoxicillin.currency = session.currency  # the drug priced as the clinic charges
        db.session.commit()
        return SimpleNamespace(
            department=department,
            doctor=doctor,
            nurse=nurse,
            clerk=clerk,
            cashier=cashier,
            session=session,
            template=template,
            drug=amoxicillin,
        )

    return build


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_an_outpatient_day_from_online_booking_to_survey(
    page: Page, live_server, hospital, shoot, locale
):
    h = hospital(locale)
    base = live_server
    english: dict[str, list[str]] = {}

    # 1. the patient books online, on a phone, with the texted code
    page.set_viewport_size(NARROW)
    page.goto(f"{base}/his/book?lang={locale}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if locale == "zh_CN" else "en")
    check_words(page, locale, english)
    page.locator(f"a[href*='/his/book/{h.department.id}']").first.click()
    page.locator(f"a[href*='/his/book/session/{h.session.id}']").first.click()
    page.locator("input[name=national_id]").wait_for()  # the session's form has loaded
    check_words(page, locale, english)
    assert fits(page)
    page.locator("input[name=name]").fill(NAME[locale])
    page.locator("input[name=national_id]").fill(MAN_ID)
    page.locator("input[name=phone]").fill(PHONE)
    page.locator("form button[type=submit]").click()
    expect(page.locator("input[name=code]")).to_be_visible()
    check_words(page, locale, english)
    otp = latest("otp")
    code = re.search(r"\b(\d{6})\b", otp.body)
    assert code is not None, otp.body
    page.locator("input[name=code]").fill(code.group(1))
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/his/book/r/**")
    db.session.expire_all()
    booking = db.session.scalar(select(Booking).where(Booking.session_id == h.session.id))
    assert booking is not None and booking.channel == "online" and booking.status == "booked"
    expect(page.locator("body")).to_contain_text(booking.number)
    check_words(page, locale, english)
    customer_id = booking.customer_id
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == customer_id))
    assert patient is not None
    patient.allergies = ["penicillin"]  # told at the desk (not part of this path)
    db.session.commit()
    page.set_viewport_size(WIDE)

    # 2. the registration clerk checks the patient in
    sign_in(page, base, h.clerk.email)
    page.goto(f"{base}/his/bookings?department_id={h.department.id}&day={booking.day}")
    row = page.locator("tr", has_text=booking.number)
    row.locator("form:has(input[name=action][value=check_in]) button").click()
    row = page.locator("tr", has_text=booking.number)
    expect(row.locator(".badge.status-checked_in")).to_be_visible()
    check_words(page, locale, english)
    db.session.refresh(booking)
    assert booking.status == "checked_in" and booking.queue_no is not None

    # 3. the doctor calls the next number and starts the visit
    sign_in(page, base, h.doctor.email)
    page.goto(f"{base}/his/my-queue")
    check_words(page, locale, english)
    page.locator("form[action$='/my-queue/call-next'] button").click()
    expect(page.locator("body")).to_contain_text(NAME[locale])
    page.locator("form[action$='/visits/start'] button").click()
    page.wait_for_url("**/his/workbench*")
    check_words(page, locale, english)
    db.session.expire_all()
    visit = db.session.scalar(select(Visit).where(Visit.booking_id == booking.id))
    assert visit is not None and visit.status == "open" and visit.doctor_id == h.doctor.id

    # 4. the record: chief complaint, an ICD-10 diagnosis from the lookup
    page.goto(f"{base}/his/visits/{visit.id}")
    page.locator("textarea[name=chief_complaint]").fill("Cough and sore throat for 3 days")
    page.locator(f"form[action$='/his/visits/{visit.id}'] button[type=submit]").click()
    expect(page.locator("textarea[name=chief_complaint]")).to_have_value(
        "Cough and sore throat for 3 days"
    )
    page.locator("#f-icd").fill("J06.9")
    page.locator("form[role=search] button[type=submit]").click()
    page.locator("form:has(input[name=code][value='J06.9']) button").click()
    expect(page.locator("#diagnoses")).to_contain_text("J06.9")
    check_words(page, locale, english)
    db.session.expire_all()
    assert [
        d.code for d in db.session.scalars(select(Diagnosis).where(Diagnosis.visit_id == visit.id))
    ] == ["J06.9"]

    # 5. a prescription of the allergen: signed with a reason for the override
    page.locator("#f-drug_id-1").select_option(str(h.drug.id))
    page.locator("#f-dose-1").fill("500")
    page.locator("#f-days-1").fill("5")
    page.locator("#f-quantity-1").fill("2")
    page.locator(f"form[action$='/visits/{visit.id}/prescriptions'] button[type=submit]").click()
    reasons = page.locator("input[id^='f-reason-']")
    expect(reasons.first).to_be_visible()
    check_words(page, locale, english)
    for n in range(reasons.count()):
        reasons.nth(n).fill("Skin test negative; benefit outweighs the risk")
    page.locator("form[action*='/sign'] button[type=submit]").first.click()
    expect(page.locator("body")).to_contain_text("Skin test negative")
    db.session.expire_all()
    prescription = db.session.scalar(select(Prescription).where(Prescription.visit_id == visit.id))
    assert prescription is not None and prescription.status == "signed"
    overrides = db.session.scalars(
        select(RxOverride)
        .join(PrescriptionLine)
        .where(PrescriptionLine.prescription_id == prescription.id)
    ).all()
    assert [o.kind for o in overrides] == ["allergy"]
    assert overrides[0].by_id == h.doctor.id

    # 6. the doctor closes the visit
    page.goto(f"{base}/his/visits/{visit.id}")
    page.locator(f"form[action$='/visits/{visit.id}/close'] button[type=submit]").click()
    expect(page.locator(f"form[action$='/visits/{visit.id}/close']")).to_have_count(0)
    db.session.refresh(visit)
    assert visit.status == "closed" and visit.closed_by_id == h.doctor.id
    check_words(page, locale, english)

    # 7. the cashier takes the payment; the receipt shows its number
    sign_in(page, base, h.cashier.email)
    page.goto(f"{base}/his/cashier?customer_id={customer_id}")
    check_words(page, locale, english)
    page.locator("#f-amount_cash").fill("500")
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_url("**/his/receipts/*")
    db.session.expire_all()
    payment = db.session.scalar(
        select(PatientPayment).where(PatientPayment.customer_id == customer_id)
    )
    assert payment is not None and payment.number
    expect(page.locator("dd.code")).to_have_text(payment.number)
    expect(page.locator("body")).to_contain_text(
        said(locale, "Paid: receipt %(number)s", number=payment.number)
    )
    assert payment.total == Decimal("49.50")  # the fee 12.50 and two boxes at 18.50
    check_words(page, locale, english)

    # 8. the nurse records the follow-up call with a red-flag answer
    plan = db.session.scalar(select(FollowupPlan).where(FollowupPlan.customer_id == customer_id))
    assert plan is not None and plan.template_id == h.template.id
    step = db.session.scalar(
        select(FollowupStep).where(FollowupStep.plan_id == plan.id).order_by(FollowupStep.number)
    )
    assert step is not None and not step.red_flag
    sign_in(page, base, h.nurse.email)
    page.goto(f"{base}/his/followups")  # due tomorrow: among the coming week's calls
    check_words(page, locale, english)
    page.locator(f"a[href$='/his/followups/steps/{step.id}']").click()
    page.wait_for_url(f"**/his/followups/steps/{step.id}")
    check_words(page, locale, english)
    page.locator("input[name=outcome][value=reached]").check()
    page.locator("select[name='answer.fever']").select_option("yes")
    page.locator("form.form button[type=submit]").last.click()
    page.wait_for_url("**/his/followups")
    expect(page.locator("body")).to_contain_text(
        said(locale, "A red flag: the doctor has been given a task.")
    )
    db.session.refresh(step)
    assert step.red_flag

    # 9. the doctor sees the red-flag task
    sign_in(page, base, h.doctor.email)
    page.goto(f"{base}/tasks/")
    expect(page.locator("body")).to_contain_text(NAME[locale])
    flag = said(
        locale,
        "Red flag in a follow-up visit: %(question)s — %(answer)s",
        question="Any fever?",
        answer="yes",
    )
    expect(page.locator("body")).to_contain_text(flag)
    check_words(page, locale, english)

    # 10. the patient answers the survey through the texted link
    invitation = latest("survey")
    link = re.search(r"/his/survey/([^\s/?]+)", invitation.body)
    assert link is not None, invitation.body
    page.context.clear_cookies()
    page.set_viewport_size(NARROW)
    page.goto(f"{base}/his/survey/{link.group(1)}?lang={locale}")
    check_words(page, locale, english)
    assert fits(page)
    page.locator("input[name=csat][value='5']").check()
    page.locator("input[name=nps][value='9']").check()
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(said(locale, "Thank you"))
    expect(page.locator("input[name=csat]")).to_have_count(0)
    check_words(page, locale, english)
    db.session.expire_all()
    survey = db.session.scalar(select(Survey).where(Survey.visit_id == visit.id))
    assert survey is not None and survey.csat == 5 and survey.nps == 9
    assert survey.answered_at is not None
    shoot(page, f"his-outpatient-day-{locale}")
    assert english == {}, english  # every page of the day in Chinese
