"""The survey report (Reports → Survey results): every survey's figures
over a period, and NPS per account manager — over the invitations and
answers the asker may see (core's scope over the owner and team each copied
from its customer).

A survey's row counts the invitations sent and the answers given in the
period (an answer to an earlier invitation counts in the period it was
given), the answer rate (answers ÷ invitations, of the period), and NPS or
CSAT of the period's answers (:func:`~.results.score_figures`). The account
managers' rows add up every NPS survey's answers by the owner the answer
copied from its customer.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from core.api import User, db

from ...models.survey import Survey, SurveyInvitation, SurveyResponse
from .answers import visible_responses
from .definitions import visible_surveys
from .invitations import visible_invitations
from .results import score_figures

#: a row's figures when no answer scored
NO_SCORE = {"nps": None, "csat": None, "promoters": None, "passives": None, "detractors": None}


def survey_report(user: User | None, start: datetime, end: datetime) -> dict[str, Any]:
    """``surveys``: a row per live survey; ``owners``: NPS per account
    manager; for ``start <= time < end``."""
    surveys = db.session.scalars(visible_surveys().order_by(Survey.name, Survey.id)).all()
    invited = dict(
        db.session.execute(
            visible_invitations(
                user, select(SurveyInvitation.survey_id, func.count(SurveyInvitation.id))
            )
            .where(SurveyInvitation.sent_at >= start, SurveyInvitation.sent_at < end)
            .group_by(SurveyInvitation.survey_id)
        ).all()
    )
    answered = visible_responses(
        user,
        select(
            SurveyResponse.survey_id,
            SurveyResponse.owner_id,
            SurveyResponse.score,
            func.count(SurveyResponse.id),
        ),
    ).where(SurveyResponse.answered_at >= start, SurveyResponse.answered_at < end)
    by_survey: dict[int, dict[int, int]] = defaultdict(dict)
    answers: dict[int, int] = defaultdict(int)
    by_owner: dict[int | None, dict[int, int]] = defaultdict(dict)
    kinds = {s.id: s.kind for s in surveys}
    rows = db.session.execute(
        answered.group_by(SurveyResponse.survey_id, SurveyResponse.owner_id, SurveyResponse.score)
    )
    for survey_id, owner_id, score, count in rows:
        answers[survey_id] += count
        if score is None:
            continue
        scores = by_survey[survey_id]
        scores[score] = scores.get(score, 0) + count
        if kinds.get(survey_id) == "nps":
            mine = by_owner[owner_id]
            mine[score] = mine.get(score, 0) + count
    report = []
    for survey in surveys:
        sent, given = invited.get(survey.id, 0), answers.get(survey.id, 0)
        report.append(
            {
                "survey": survey,
                "invitations": sent,
                "responses": given,
                "rate": round(given / sent, 4) if sent else None,
                **NO_SCORE,
                **score_figures(survey.kind, by_survey.get(survey.id, {})),
            }
        )
    names = dict(
        db.session.execute(
            select(User.id, User.name).where(User.id.in_([o for o in by_owner if o]))
        ).all()
    )
    owners = [
        {"owner_id": owner, "name": names.get(owner), "responses": sum(scores.values())}
        | NO_SCORE
        | score_figures("nps", scores)
        for owner, scores in by_owner.items()
    ]
    owners.sort(key=lambda r: (r["name"] is None, r["name"] or ""))
    return {"surveys": report, "owners": owners}
