"""Satisfaction surveys: one when a visit closes — only for a patient who
agreed to service SMS and is alive — answered once on a public page in
either language, and the figures (responses, average CSAT, NPS) checked
against numbers worked out by hand."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from core.api import Customer, Message, db, instance_timezone, record_consent, update_customer
from plugins.his.models import Patient, Survey
from plugins.his.services import visits
from plugins.his.services.feedback import survey_after_visit, survey_figures

from .booking_fixtures import clinic  # noqa: F401
from .feedback_fixtures import closed, survey_row
from .visit_fixtures import started


def token_of(survey: Survey) -> str:
    return re.search(r"/his/survey/([\w-]+)", survey.link).group(1)


def test_closing_a_visit_sends_one_survey(clinic):
    visit = closed(clinic)
    survey = db.session.scalar(select(Survey).where(Survey.visit_id == visit.id))
    assert survey is not None and survey.answered_at is None
    assert (survey.department_id, survey.doctor_id) == (clinic.cardiology.id, clinic.li.id)
    assert survey.team_id == clinic.cardiology.team_id and "/his/survey/" in survey.link
    assert survey_after_visit(visit) is None  # once per visit
    assert db.session.scalar(select(func.count(Survey.id))) == 1


def test_an_open_visit_gets_no_survey(clinic):
    visit = started(clinic)
    assert survey_after_visit(visit) is None
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def close(clinic, visit) -> None:
    visits.add_diagnosis(visit, {"code": "J06.9"}, clinic.li)
    visits.close_visit(visit, clinic.li)


def test_a_patient_who_withdrew_service_sms_gets_no_survey(clinic):
    visit = started(clinic)
    patient = db.session.get(Customer, visit.customer_id)
    record_consent(
        patient, {"channel": "sms", "purpose": "service", "status": "withdrawn"}, clinic.clerk
    )
    close(clinic, visit)
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def test_a_deceased_patient_gets_no_survey(clinic):
    visit = started(clinic)
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == visit.customer_id))
    patient.deceased = True
    db.session.commit()
    close(clinic, visit)
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def test_the_patient_answers_once_on_the_public_page(clinic, client):
    survey = db.session.scalar(select(Survey).where(Survey.visit_id == closed(clinic).id))
    path = f"/his/survey/{token_of(survey)}"
    assert "How satisfied" in client.get(f"{path}?lang=en").text
    assert '<html lang="zh-CN">' in client.get(f"{path}?lang=zh_CN").text
    client.get(f"{path}?lang=en")
    answer = client.post(path, data={"csat": "4", "nps": "9", "comment": "Kind nurse"})
    assert answer.status_code == 303
    again = client.post(path, data={"csat": "1", "nps": "0"})
    assert again.status_code == 409
    db.session.expire_all()
    kept = db.session.get(Survey, survey.id)
    assert (kept.csat, kept.nps, kept.comment) == (4, 9, "Kind nurse")
    assert kept.answered_at is not None and kept.link is None
    assert client.get(path).status_code == 200  # the thanks page


def test_a_bad_answer_is_refused_naming_the_field_and_kept_unanswered(clinic, client):
    survey = db.session.scalar(select(Survey).where(Survey.visit_id == closed(clinic).id))
    path = f"/his/survey/{token_of(survey)}?lang=en"
    answer = client.post(path, data={"csat": "6", "nps": "11"})
    assert answer.status_code == 422
    assert 'id="e-csat"' in answer.text and 'id="e-nps"' in answer.text
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).answered_at is None


def test_a_forged_link_is_a_404(clinic, client):
    closed(clinic)
    assert client.get("/his/survey/not-a-real-token").status_code == 404
    assert (
        client.post("/his/survey/forged-token", data={"csat": "5", "nps": "10"}).status_code == 404
    )


def at(day, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(instance_timezone()))


def test_figures_match_the_hand_computed_ones(clinic):
    day = clinic.today - timedelta(days=3)
    for answer in [(5, 10), (4, 9), (3, 7), (2, 5), (1, 0)]:
        survey_row(clinic, at(day), answer=answer)
    survey_row(clinic, at(day), department=clinic.dermatology, answer=(5, 10))
    survey_row(clinic, at(day))  # sent, not answered
    survey_row(clinic, at(day - timedelta(days=10)), answer=(1, 0))  # before the period
    period = (day, clinic.today)
    # all: csat (5+4+3+2+1+5)/6 = 3.33; promoters 10, 9, 10 = 3, detractors 5, 0 = 2
    assert survey_figures(period) == {"sent": 7, "responses": 6, "csat": 3.33, "nps": 16.7}
    # cardiology: csat 15/5 = 3.0; promoters 2, detractors 2 → 0
    cardiology = survey_figures(period, clinic.cardiology.id)
    assert cardiology == {"sent": 6, "responses": 5, "csat": 3.0, "nps": 0.0}
    empty = survey_figures((clinic.tomorrow, clinic.tomorrow))
    assert empty == {"sent": 0, "responses": 0, "csat": None, "nps": None}


def test_a_doctor_sees_the_surveys_of_their_department(clinic, as_user, make_user):
    day = clinic.today
    survey_row(clinic, at(day), answer=(5, 10))
    survey_row(clinic, at(day), department=clinic.dermatology, answer=(1, 0))
    by_zhou = as_user(clinic.zhou).get("/api/v1/his/surveys").get_json()
    assert [s["csat"] for s in by_zhou["items"]] == [1]
    by_clerk = as_user(clinic.clerk).get("/api/v1/his/surveys").get_json()
    assert by_clerk["total"] == 2
    figures = as_user(clinic.zhou).get("/api/v1/his/surveys/figures").get_json()
    assert (figures["responses"], figures["nps"]) == (1, -100.0)
    assert as_user(make_user(role="sales")).get("/api/v1/his/surveys").status_code == 403


def test_the_surveys_page_shows_the_figures(clinic, login_as):
    survey_row(clinic, at(clinic.today), answer=(4, 9))
    page = login_as(clinic.clerk).get("/his/surveys")
    assert page.status_code == 200 and "4.00" in page.text and "100.0" in page.text


def test_a_patient_with_a_phone_is_texted_the_link(clinic, client):
    visit = started(clinic)
    patient = db.session.get(Customer, visit.customer_id)
    update_customer(patient, {"phones": ["13800138000"]}, None, patient.version)
    close(clinic, visit)
    survey = db.session.scalar(select(Survey).where(Survey.visit_id == visit.id))
    message = db.session.scalar(select(Message).where(Message.purpose == "survey"))
    assert survey.link is None  # texted: nothing left for the desk
    assert message.to == "+8613800138000" and message.customer_id == patient.id
    token = re.search(r"/his/survey/([\w-]+)", message.body).group(1)
    assert client.post(f"/his/survey/{token}", data={"csat": "5", "nps": "10"}).status_code == 303
