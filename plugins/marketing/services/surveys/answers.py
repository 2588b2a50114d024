"""Answers: a customer answers an invitation once, on its public page.

The answer is checked against the survey's questions — a problem is a 422
naming the question's key — and kept with the invitation marked answered,
in one transaction. A second answer is a 409 and the first stays (the
unique ``invitation_id`` holds even when two posts race); a closed survey
takes no answer (409, ``survey``).

A **detractor** — NPS 0–6, CSAT 1–2 — gets a follow-up task (跟进任务)
for the customer's owner (the survey's owner for a customer in the pool),
due in two days, with the answer in it: made *after* the answer commits, so
a failing task never loses an answer, and once per invitation
(``SurveyResponse.task_id``).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, get_locale
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError

from core.api import (
    NotFoundError,
    StateError,
    User,
    ValidationError,
    db,
    log_activity,
    tracked_record,
    transaction,
    translator,
    utcnow,
    visible_records,
)

from ...models.survey import Survey, SurveyInvitation, SurveyResponse

_, _l = translator("marketing")
log = logging.getLogger(__name__)

#: the highest score that detracts, per kind (NPS 0–6, CSAT 1–2)
DETRACTOR_AT_MOST = {"nps": 6, "csat": 2}
#: days a detractor's follow-up task is due in
TASK_DUE_DAYS = 2
#: the longest free-text answer kept
TEXT_MAX = 2000


def invitation_by_token(token: str | None) -> SurveyInvitation:
    """The invitation the link's token opens (its survey not deleted); a
    ``NotFoundError`` — a 404 — for any other token."""
    invitation = tracked_record(SurveyInvitation, token, column="token_hash")
    if invitation.survey.deleted_at is not None:
        raise NotFoundError(_("This survey link is not valid."))
    return invitation


def visible_responses(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: every answer) restricted to the customers ``user``
    may see (core's scope over the owner and team copied from the customer)."""
    return visible_records(SurveyResponse, user, query)


def already_answered() -> StateError:
    return StateError({"answers": [_("This survey has been answered already. Thank you!")]})


def is_closed(invitation: SurveyInvitation) -> bool:
    return invitation.survey.status != "active"


def checked_answers(survey: Survey, payload: Any) -> dict[str, Any]:
    """``payload`` (``{question key: answer}``) checked against the survey's
    questions: a score a whole number in its range, a choice one of its
    values, text at most 2,000 characters; a required question answered."""
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": [_("Send the answers as an object.")]})
    errors: dict[str, list[str]] = {}
    answers: dict[str, Any] = {}
    for question in survey.questions:
        key, value = question["key"], payload.get(question["key"])
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if question.get("required", True):
                errors[key] = [_("Please answer this question.")]
            continue
        problem = _problem(question, value)
        if problem:
            errors[key] = [problem]
        else:
            answers[key] = int(value) if question["type"] == "score" else value
    if errors:
        raise ValidationError(errors)
    return answers


def _problem(question: dict, value: Any) -> str | None:
    if question["type"] == "score":
        number = value if isinstance(value, int) and not isinstance(value, bool) else None
        if isinstance(value, str) and value.isdigit():
            number = int(value)
        if number is None or not question["min"] <= number <= question["max"]:
            return _(
                "A whole number from %(low)d to %(high)d.",
                low=question["min"],
                high=question["max"],
            )
    elif question["type"] == "choice":
        if value not in [c["value"] for c in question["choices"]]:
            return _("Pick one of the choices.")
    elif not isinstance(value, str) or len(value) > TEXT_MAX:
        return _("At most %(max)d characters.", max=TEXT_MAX)
    return None


def answer(invitation: SurveyInvitation, payload: Any) -> SurveyResponse:
    """Keep the customer's answer to ``invitation`` — once — then, for a
    detractor, the owner's follow-up task."""
    if invitation.answered_at is not None:
        raise already_answered()
    if is_closed(invitation):
        raise StateError({"survey": [_("This survey is closed and takes no more answers.")]})
    survey = invitation.survey
    answers = checked_answers(survey, payload)
    now = utcnow()
    try:
        with transaction():
            response = SurveyResponse(
                invitation_id=invitation.id,
                survey_id=survey.id,
                customer_id=invitation.customer_id,
                owner_id=invitation.owner_id,
                team_id=invitation.team_id,
                score=answers.get("score") if survey.kind != "custom" else None,
                answers=answers,
                language=invitation.language,
                answered_at=now,
            )
            db.session.add(response)
            invitation.answered_at = now
            db.session.flush()
    except IntegrityError:  # another post of the same link won the race
        raise already_answered() from None
    if is_detractor(survey, response.score):
        try:
            detractor_task(response)
        except Exception:  # the answer stands; the task is logged as missing
            log.exception("no follow-up task for survey answer %s", response.id)
    return response


def is_detractor(survey: Survey, score: int | None) -> bool:
    limit = DETRACTOR_AT_MOST.get(survey.kind)
    return limit is not None and score is not None and score <= limit


def detractor_task(response: SurveyResponse) -> int | None:
    """The owner's follow-up task about a detractor's answer, made once;
    its id (``None`` when nobody owns the customer or the survey)."""
    if response.task_id is not None:
        return response.task_id
    customer, survey = response.customer, response.survey
    owner = customer.owner or survey.owner
    if owner is None:
        return None
    with transaction(), force_locale(owner.locale or current_app.config["TRELLIS_LOCALE"]):
        subject = _(
            "Unhappy customer: %(customer)s scored %(score)d in %(survey)s",
            customer=customer.name,
            score=response.score,
            survey=survey.name,
        )
        task = log_activity(
            {
                "kind": "task",
                "subject": subject[:200],
                "body": answer_text(survey, response),
                "due_at": utcnow() + timedelta(days=TASK_DUE_DAYS),
                "customer_id": customer.id,
                "owner_id": owner.id,
                "link_type": SurveyResponse.__tablename__,
                "link_id": response.id,
            },
            None,
        )
        response.task_id = task.id
    return task.id


def answer_text(survey: Survey, response: SurveyResponse) -> str:
    """The answer as lines of "question: answer", in the owner's language
    (the question's text in Chinese for a Chinese reader, else English)."""
    text_key = "text_zh_CN" if str(get_locale()).startswith("zh") else "text_en"
    lines = []
    for question in survey.questions:
        value = response.answers.get(question["key"])
        if value is None:
            continue
        if question["type"] == "choice":
            chosen = next((c for c in question["choices"] if c["value"] == value), None)
            value = chosen[text_key] if chosen else value
        lines.append(f"{question[text_key]}: {value}")
    return "\n".join(lines)
