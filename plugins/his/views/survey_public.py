"""The public survey page (``/his/survey/<token>``): the patient says how
the visit went — CSAT 1–5, NPS 0–10, a comment — without signing in, once.
It stands alone (no app menu), fits a phone, speaks the visitor's language
(``?lang=`` or the browser's) and is rate-limited per address; a forged
token is a 404, a second answer is refused (409) and the first kept."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from core.api import NotFoundError, ValidationError, current_lang, db, public, translator

from ..services.feedback import answer_survey, survey_by_token
from .blueprint import bp

_, _l = translator("his")


def _page(template: str, status: int = 200, **context):
    return render_template(f"his/{template}", **context), status


@bp.route("/survey/<token>", methods=["GET", "POST"])
@public("20 per minute")
def survey_public(token: str):
    """The survey's form; posted, the answer is kept and thanked for."""
    try:
        survey = survey_by_token(token)
    except NotFoundError:
        return _page("survey_missing.html", 404)
    if survey.answered_at is not None and request.method == "GET":
        return _page("survey_thanks.html", again=False)
    if request.method == "POST":
        payload = {
            "csat": _number(request.form.get("csat")),
            "nps": _number(request.form.get("nps")),
            "comment": request.form.get("comment", "").strip() or None,
        }
        try:
            answer_survey(survey, payload)
        except ValidationError as exc:
            db.session.rollback()
            if survey.answered_at is not None:
                return _page("survey_thanks.html", exc.status, again=True)
            return _page(
                "survey_form.html",
                exc.status,
                survey=survey,
                errors=exc.errors,
                values=request.form,
            )
        return redirect(url_for(".survey_public", token=token, lang=current_lang()), 303)
    return _page("survey_form.html", survey=survey, errors={}, values={})


def _number(text: str | None) -> int | str | None:
    """A posted choice as a number; anything else is left for the schema to refuse."""
    text = (text or "").strip()
    return int(text) if text.isdigit() else text or None
