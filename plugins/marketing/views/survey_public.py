"""The public survey page (``/m/s/<token>``): a customer answers without
signing in, once, in the invitation's language (``?lang=`` switches it).

It stands alone (core's public layout, no app menu), fits a phone and is
rate-limited per address. A forged token is a 404 page, a second answer is
refused (409) and the first kept, a closed survey says so. The same address
takes the answer as JSON (``{question key: answer}``) and answers JSON —
201, 404, 409 or 422 naming the question — for a form hosted elsewhere
(core's ``/api/v1`` asks every caller to sign in, so the public answer
endpoint lives here).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale

from core.api import NotFoundError, ValidationError, db, public, translator

from ..models.survey import LANGUAGES, SurveyInvitation
from ..services.surveys import answer, invitation_by_token, is_closed

_, _l = translator("marketing")

bp = Blueprint("marketing_public", __name__, url_prefix="/m")


def _language(invitation: SurveyInvitation) -> str:
    asked = request.args.get("lang")
    return asked if asked in LANGUAGES else invitation.language


def _problem(status: int, title: str, detail: str, errors: dict | None = None):
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    return response


@bp.route("/s/<token>", methods=["GET", "POST"])
@public("20 per minute")
def survey(token: str):
    """The survey's form; posted, the answer is kept and thanked for."""
    as_json = request.method == "POST" and request.is_json
    try:
        invitation = invitation_by_token(token)
    except NotFoundError as exc:
        if as_json:
            return _problem(404, _("Not found"), str(exc))
        return render_template("marketing/survey_public_missing.html"), 404
    with force_locale(_language(invitation)):
        if as_json:
            return _answer_json(invitation)
        return _page(invitation, token)


def _page(invitation: SurveyInvitation, token: str):
    lang = _language(invitation)
    if invitation.answered_at is not None and request.method == "GET":
        return _done(lang, "thanks")
    if is_closed(invitation):
        return _done(lang, "closed", 409 if request.method == "POST" else 200)
    if request.method == "POST":
        try:
            answer(invitation, request.form.to_dict())
        except ValidationError as exc:
            db.session.rollback()
            if invitation.answered_at is not None or exc.status == 409:
                return _done(lang, "again", 409)
            return _form(invitation, lang, exc.errors, request.form, exc.status)
        return redirect(url_for(".survey", token=token, lang=lang), 303)
    return _form(invitation, lang, {}, {})


def _form(invitation: SurveyInvitation, lang: str, errors: dict, values: Any, status: int = 200):
    suffix = "zh_CN" if lang == "zh_CN" else "en"
    return render_template(
        "marketing/survey_public.html",
        invitation=invitation,
        survey=invitation.survey,
        text_key=f"text_{suffix}",
        lang=lang,
        errors=errors,
        values=values,
    ), status


def _done(lang: str, state: str, status: int = 200):
    return render_template("marketing/survey_public_done.html", state=state, lang=lang), status


def _answer_json(invitation: SurveyInvitation):
    payload = request.get_json(silent=True)
    try:
        response = answer(invitation, payload)
    except ValidationError as exc:
        db.session.rollback()
        title = _("Please correct the answers")
        if exc.status == 409:
            closed = "survey" in exc.errors
            title = _("This survey is closed") if closed else _("Already answered")
        detail = " ".join(m for messages in exc.errors.values() for m in messages)
        return _problem(exc.status, title, detail, exc.errors)
    return jsonify({"answered_at": response.answered_at.isoformat(), "score": response.score}), 201
