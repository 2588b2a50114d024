"""Survey definitions: their questions checked, saved, changed, closed.

Every user who may read surveys sees every survey (a survey is the
company's questionnaire, not a rep's); who sees which *invitation* and
*answer* is core's scope over the customer (see :mod:`.invitations`).

An NPS or CSAT survey opens with its score question — key ``score``, 0–10
or 1–5, its text in both languages — added here, so the figures always
find it. Once a survey has answers its ``kind`` and ``questions`` stay as
they are (409): the answers kept would no longer fit them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from core.api import (
    NotFoundError,
    StateError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    load,
    snapshot,
    text_contains,
    transaction,
    translator,
    utcnow,
)

from ...models.survey import SCORE_RANGES, Survey, SurveyResponse
from ...schemas.survey import (
    MarketingSurveyChange,
    MarketingSurveyInput,
    MarketingSurveyQuestionInput,
)

_, _l = translator("marketing")

#: the opening question of each scored kind, in both languages (stored data, not UI text)
SCORE_TEXTS = {
    "nps": (
        "How likely are you to recommend us to a friend or colleague?",
        "您有多大可能向朋友或同事推荐我们？",
    ),
    "csat": ("How satisfied are you with our service?", "您对我们的服务满意吗？"),
}


def visible_surveys(args: dict | None = None) -> Select:
    """The live surveys, narrowed by ``args`` (``q`` part of the name,
    ``status``, ``kind``)."""
    args = args or {}
    query = select(Survey).where(Survey.deleted_at.is_(None))
    if args.get("q"):
        query = query.where(text_contains(Survey.name, args["q"]))
    for key in ("status", "kind"):
        if args.get(key):
            query = query.where(getattr(Survey, key) == args[key])
    return query


def get_survey(survey_id: int) -> Survey:
    survey = db.session.scalar(visible_surveys().where(Survey.id == survey_id))
    if survey is None:
        raise NotFoundError(_("survey %(id)s not found", id=survey_id))
    return survey


def score_question(kind: str) -> dict[str, Any]:
    low, high = SCORE_RANGES[kind]
    text_en, text_zh = SCORE_TEXTS[kind]
    return {
        "key": "score",
        "type": "score",
        "text_en": text_en,
        "text_zh_CN": text_zh,
        "choices": [],
        "min": low,
        "max": high,
        "required": True,
    }


def checked_questions(kind: str, questions: list) -> list[dict[str, Any]]:
    """``questions`` checked one by one — a problem is a 422 naming
    ``questions.<n>.<field>`` — with the kind's score question first."""
    errors: dict[str, list[str]] = {}
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, raw in enumerate(questions):
        prefix = f"questions.{n}"
        try:
            question = load(MarketingSurveyQuestionInput(), raw)
        except ValidationError as exc:
            errors.update({f"{prefix}.{k}": m for k, m in exc.errors.items()})
            continue
        problems = _question_problems(question, kind, seen)
        errors.update({f"{prefix}.{k}": m for k, m in problems.items()})
        seen.add(question["key"])
        cleaned.append(_stored(question))
    if kind in SCORE_RANGES and not errors:
        cleaned.insert(0, score_question(kind))
    if kind == "custom" and not questions:
        errors["questions"] = [_("A custom survey asks at least one question.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _question_problems(question: dict, kind: str, seen: set[str]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if question["key"] in seen or (question["key"] == "score" and kind in SCORE_RANGES):
        problems["key"] = [_("Another question has this key.")]
    if question["type"] == "score":
        low, high = question.get("min"), question.get("max")
        if low is None or high is None or low >= high:
            problems["max"] = [_("A score question goes from a smaller number to a larger one.")]
    if question["type"] == "choice":
        values = [c["value"] for c in question["choices"]]
        if len(values) < 2:
            problems["choices"] = [_("A choice question offers at least two choices.")]
        elif len(set(values)) != len(values):
            problems["choices"] = [_("Two choices have the same value.")]
    return problems


def _stored(question: dict) -> dict[str, Any]:
    scored = question["type"] == "score"
    return {
        "key": question["key"],
        "type": question["type"],
        "text_en": question["text_en"].strip(),
        "text_zh_CN": question["text_zh_CN"].strip(),
        "choices": [
            {
                "value": c["value"],
                "text_en": c["text_en"].strip(),
                "text_zh_CN": c["text_zh_CN"].strip(),
            }
            for c in question["choices"]
        ]
        if question["type"] == "choice"
        else [],
        "min": question.get("min") if scored else None,
        "max": question.get("max") if scored else None,
        "required": bool(question.get("required", True)),
    }


def _own_questions(survey: Survey) -> list[dict]:
    """The questions a survey's author wrote (its score question left out)."""
    return [q for q in survey.questions if not (q["key"] == "score" and survey.kind != "custom")]


def _checked_trigger(data: dict) -> None:
    if data.get("trigger") and data.get("channel") == "link":
        message = _("A survey sent by itself after an event goes by e-mail or SMS.")
        raise ValidationError({"channel": [message]})


def create_survey(payload: dict, actor: User | None) -> Survey:
    """A new survey owned by ``actor``, audited, in one transaction."""
    data = load(MarketingSurveyInput(), payload)
    data["name"] = data["name"].strip()
    data["questions"] = checked_questions(data["kind"], data["questions"])
    _checked_trigger(data)
    with transaction():
        survey = Survey(**data, owner_id=actor.id if actor else None)
        db.session.add(survey)
        db.session.flush()
        audit(actor, survey, "create", None, snapshot(survey))
    return survey


def has_answers(survey: Survey) -> bool:
    found = select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id).limit(1)
    return db.session.scalar(found) is not None


def update_survey(
    survey: Survey, payload: dict, actor: User | None, version: int | None = None
) -> Survey:
    """Change what ``payload`` names (a stale ``version`` is a 409; so is a
    new kind or new questions for a survey already answered)."""
    data = load(MarketingSurveyChange(), payload, partial=True)
    version = data.pop("version", version)
    if isinstance(data.get("name"), str):
        data["name"] = data["name"].strip()
    kind = data.get("kind", survey.kind)
    if "questions" in data or kind != survey.kind:
        if has_answers(survey):
            field = "kind" if kind != survey.kind else "questions"
            raise StateError(
                {field: [_("This survey has answers: its questions stay as they are.")]}
            )
        data["questions"] = checked_questions(kind, data.get("questions", _own_questions(survey)))
    _checked_trigger(
        {
            "trigger": data.get("trigger", survey.trigger),
            "channel": data.get("channel", survey.channel),
        }
    )
    check_version(survey, version)
    with transaction():
        before = snapshot(survey)
        for key, value in data.items():
            setattr(survey, key, value)
        audit(actor, survey, "update", before, snapshot(survey))
    return survey


def delete_survey(survey: Survey, actor: User | None, version: int | None = None) -> None:
    """Into the recycle bin; its invitations' links then open a 404 page."""
    check_version(survey, version)
    with transaction():
        before = snapshot(survey)
        survey.deleted_at = utcnow()
        audit(actor, survey, "delete", before, snapshot(survey))
