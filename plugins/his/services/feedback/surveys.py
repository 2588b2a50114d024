"""Satisfaction surveys (满意度) after a visit: one per closed visit, sent
to a patient who agreed to service SMS and is alive; answered once on a
public page reached by the link's token (only its hash is kept)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import Select, select

from core.api import (
    StateError,
    User,
    db,
    load,
    may_contact,
    new_tracking_token,
    scoped,
    send_message,
    tracked_record,
    transaction,
    translator,
    utcnow,
)

from ...models import Department, Survey, Visit
from .inputs import SurveyAnswerInput

_, _l = translator("his")

#: the invitation goes by this channel, for the patient's own care
CHANNEL, PURPOSE = "sms", "service"


def survey_after_visit(visit: Visit) -> Survey | None:
    """Invite the patient of a closed ``visit`` to say how it went: a
    survey with a fresh public link. ``None`` — nothing sent — for a visit
    not closed, one surveyed already, or a patient who withdrew consent to
    service SMS or is deceased. The invitation is texted to the patient's
    first phone after the commit; a patient without a phone has the link
    kept on the survey, for the desk to pass on."""
    if visit.status != "closed" or visit.deleted_at is not None:
        return None
    if db.session.scalar(select(Survey.id).where(Survey.visit_id == visit.id)) is not None:
        return None
    if not may_contact([visit.customer_id], CHANNEL, PURPOSE):
        return None
    token, token_hash = new_tracking_token()
    team_id = visit.team_id
    if visit.department_id is not None:
        department = db.session.get(Department, visit.department_id)
        team_id = department.team_id if department and department.team_id else team_id
    with transaction():
        survey = Survey(
            visit_id=visit.id,
            customer_id=visit.customer_id,
            department_id=visit.department_id,
            doctor_id=visit.doctor_id,
            team_id=team_id,
            token_hash=token_hash,
            sent_at=utcnow(),
        )
        db.session.add(survey)
        phones = visit.customer.phones or []
        if phones:
            body = _(
                "Thank you for visiting %(department)s. How was it? Tell us in a minute: %(link)s",
                department=visit.department,
                link=survey_link(token),
            )
            send_message(
                "sms",
                phones[0],
                body,
                purpose="survey",
                customer_id=visit.customer_id,
                source="his",
            )
        else:
            survey.link = survey_link(token)
    return survey


def survey_link(token: str) -> str:
    """The public page of the survey, as a full address when a request (or
    ``SERVER_NAME``) tells the host; the path otherwise."""
    try:
        return url_for("his.survey_public", token=token, _external=True)
    except RuntimeError:
        return f"/his/survey/{token}"


def survey_by_token(token: str | None) -> Survey:
    """The survey the link's token opens; a 404 for any other token."""
    return tracked_record(Survey, token, column="token_hash")


def answer_survey(survey: Survey, payload: object) -> Survey:
    """Keep the patient's answer — once: a survey answered already is a 409
    naming ``csat``, and the answer stays as it was."""
    data = load(SurveyAnswerInput(), payload)
    if survey.answered_at is not None:
        raise StateError({"csat": [_("This survey has been answered already. Thank you!")]})
    with transaction():
        survey.csat = data["csat"]
        survey.nps = data["nps"]
        survey.comment = (data.get("comment") or "").strip() or None
        survey.answered_at = utcnow()
        survey.link = None
    return survey


def visible_surveys(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: every survey) restricted to what ``user`` sees:
    a doctor or nurse their department's (team scope), the desk all."""
    query = select(Survey) if query is None else query
    return scoped(query, Survey, user, owner_attr="doctor_id", customer_attr="customer_id")
