"""A survey's results over the answers a user may see, and the fact that
carries the latest NPS to segments and churn risk.

- **NPS** = % promoters (9–10) − % detractors (0–6), of the answers, one
  decimal place; passives (7–8) count in the total only.
- **CSAT** = the average score (1–5), two decimal places.
- the **distribution** of the score (every value of its range, 0 included),
  each choice question's counts, and the latest free-text answers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.api import Customer, User, db

from ...models.survey import SCORE_RANGES, Survey, SurveyInvitation, SurveyResponse
from .answers import visible_responses
from .invitations import visible_invitations

#: NPS: 9–10 promote, 0–6 detract, 7–8 are passive
PROMOTER_AT_LEAST, DETRACTOR_AT_MOST = 9, 6
#: the free-text answers a results page shows
LATEST_TEXTS = 50


def survey_results(survey: Survey, user: User | None) -> dict[str, Any]:
    """The figures of ``survey`` over the answers ``user`` may see."""
    answered = visible_responses(user, select(SurveyResponse)).where(
        SurveyResponse.survey_id == survey.id
    )
    invited = visible_invitations(user, select(func.count(SurveyInvitation.id))).where(
        SurveyInvitation.survey_id == survey.id
    )
    by_score = dict(
        db.session.execute(
            answered.with_only_columns(SurveyResponse.score, func.count(SurveyResponse.id))
            .where(SurveyResponse.score.is_not(None))
            .group_by(SurveyResponse.score)
        ).all()
    )
    responses = db.session.scalar(answered.with_only_columns(func.count(SurveyResponse.id))) or 0
    results: dict[str, Any] = {
        "invitations": db.session.scalar(invited) or 0,
        "responses": responses,
        "nps": None,
        "promoters": None,
        "passives": None,
        "detractors": None,
        "csat": None,
        "distribution": {},
    }
    if survey.kind in SCORE_RANGES:
        low, high = SCORE_RANGES[survey.kind]
        results["distribution"] = {str(s): by_score.get(s, 0) for s in range(low, high + 1)}
    results.update(score_figures(survey.kind, by_score))
    results.update(_answers(survey, answered))
    return results


def score_figures(kind: str, by_score: dict[int, int]) -> dict[str, Any]:
    """NPS with its promoters, passives and detractors, or CSAT, from the
    count of answers per score (nothing for a survey without a score)."""
    scored = sum(by_score.values())
    if kind == "nps" and scored:
        promoters = sum(n for s, n in by_score.items() if s >= PROMOTER_AT_LEAST)
        detractors = sum(n for s, n in by_score.items() if s <= DETRACTOR_AT_MOST)
        return {
            "promoters": promoters,
            "detractors": detractors,
            "passives": scored - promoters - detractors,
            "nps": round(100 * (promoters - detractors) / scored, 1),
        }
    if kind == "csat" and scored:
        return {"csat": round(sum(s * n for s, n in by_score.items()) / scored, 2)}
    return {}


def _answers(survey: Survey, answered) -> dict[str, Any]:
    """Each choice question's counts and the latest free-text answers."""
    choices = {
        q["key"]: {c["value"]: 0 for c in q["choices"]}
        for q in survey.questions
        if q["type"] == "choice"
    }
    texts_asked = [q["key"] for q in survey.questions if q["type"] == "text"]
    texts: list[dict[str, Any]] = []
    rows = db.session.execute(
        answered.with_only_columns(
            SurveyResponse.answers, SurveyResponse.answered_at, SurveyResponse.customer_id
        )
        .order_by(SurveyResponse.answered_at.desc(), SurveyResponse.id.desc())
        .execution_options(yield_per=500)
    )
    for answers, answered_at, customer_id in rows:
        for key, counts in choices.items():
            if answers.get(key) in counts:
                counts[answers[key]] += 1
        for key in texts_asked:
            if answers.get(key) and len(texts) < LATEST_TEXTS:
                texts.append(
                    {
                        "question": key,
                        "text": answers[key],
                        "answered_at": answered_at.isoformat(),
                        "customer_id": customer_id,
                    }
                )
    return {"choices": choices, "texts": texts}


def latest_nps_values():
    """The ``marketing.nps_last`` fact: ``(customer_id, score)`` of each
    customer's latest answer to an NPS survey (0–10)."""
    rank = (
        func.row_number()
        .over(
            partition_by=SurveyResponse.customer_id,
            order_by=(SurveyResponse.answered_at.desc(), SurveyResponse.id.desc()),
        )
        .label("rank")
    )
    latest = (
        select(SurveyResponse.customer_id, SurveyResponse.score, rank)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(Survey.kind == "nps", SurveyResponse.score.is_not(None))
        .subquery()
    )
    return select(latest.c.customer_id, latest.c.score).where(latest.c.rank == 1)


def customer_surveys(customer: Customer, user: User | None) -> list[tuple[Any, Any]]:
    """A customer's invitations ``user`` may see, newest first, each with
    its answer (or ``None``)."""
    query = (
        visible_invitations(user)
        .add_columns(SurveyResponse)
        .outerjoin(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
        .where(SurveyInvitation.customer_id == customer.id)
        .order_by(SurveyInvitation.sent_at.desc(), SurveyInvitation.id.desc())
        .limit(100)
    )
    return [(row[0], row[1]) for row in db.session.execute(query)]


def tone(score: int | None, kind: str) -> str:
    """``promoter``, ``passive`` or ``detractor`` for a score of an NPS
    survey (9–10, 7–8, 0–6) or a CSAT one (4–5, 3, 1–2); ``""`` otherwise."""
    if score is None or kind not in SCORE_RANGES:
        return ""
    high, low = (PROMOTER_AT_LEAST, DETRACTOR_AT_MOST) if kind == "nps" else (4, 2)
    return "promoter" if score >= high else "detractor" if score <= low else "passive"
