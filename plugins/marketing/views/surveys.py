"""``/marketing/surveys``: the survey list, a survey's page (its results
over the answers the user may see, a send to a segment or a customer, the
invitations), the form with its question rows, and the Surveys tab of a
customer's page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.api import (
    Customer,
    StaleVersionError,
    ValidationError,
    db,
    form_version,
    list_page,
    require,
    translator,
    visible_customer,
)

from ..models import Segment, Survey, SurveyInvitation
from ..services import segments
from ..services.surveys import (
    create_survey,
    customer_surveys,
    delete_survey,
    get_survey,
    send,
    survey_results,
    tone,
    update_survey,
    visible_invitations,
    visible_surveys,
)
from ..services.surveys.definitions import has_answers
from .blueprint import bp

_, _l = translator("marketing")

PER_PAGE = 50
#: question rows the form offers
QUESTION_ROWS = 5


def labels() -> dict[str, dict[str, str]]:
    """The words for each stored code the survey pages show."""
    return {
        "kind": {
            "nps": _("NPS (0–10)"),
            "csat": _("Satisfaction, CSAT (1–5)"),
            "custom": _("Custom questions"),
        },
        "status": {"active": _("Active"), "closed": _("Closed")},
        "channel": {"email": _("E-mail"), "sms": _("SMS"), "link": _("Link to copy, no message")},
        "trigger": {
            "sales.deal_won": _("After a deal is won"),
            "service_dispatch.work_order_closed": _("After a work order is closed"),
        },
        "type": {"score": _("Score"), "choice": _("One choice"), "text": _("Free text")},
        "language": {"en": _("English language"), "zh_CN": _("Chinese language")},
        "tone": {"promoter": _("Promoter"), "passive": _("Passive"), "detractor": _("Detractor")},
        "skipped": {
            "consent": _("no consent to be surveyed on this channel"),
            "not_to_contact": _("not to be contacted"),
            "no_address": _("no address for this channel"),
            "already": _("invited already for this occasion"),
        },
    }


@bp.route("/surveys")
@login_required
def surveys_list():
    require("marketing.survey.read")
    args = {"q": request.args.get("q", "").strip()}
    found = db.session.scalars(visible_surveys(args).order_by(Survey.name, Survey.id)).all()
    return render_template("marketing/surveys.html", surveys=found, q=args["q"], labels=labels())


@bp.route("/surveys/<int:survey_id>")
@login_required
def survey(survey_id: int):
    require("marketing.survey.read")
    found = get_survey(survey_id)
    return _survey_page(found)


def _survey_page(found: Survey, links=None, errors=None, status: int = 200):
    page = list_page()
    invitations = db.session.scalars(
        visible_invitations(current_user)
        .where(SurveyInvitation.survey_id == found.id)
        .order_by(SurveyInvitation.sent_at.desc(), SurveyInvitation.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    ).all()
    may_send = current_user.can("marketing.survey.write") and found.status == "active"
    offered = []
    if may_send and current_user.can("marketing.segment.read"):
        offered = [
            (s.id, s.name)
            for s in db.session.scalars(
                segments.visible_segments(current_user).order_by(Segment.name)
            )
        ]
    return render_template(
        "marketing/survey.html",
        survey=found,
        results=survey_results(found, current_user),
        invitations=invitations[:PER_PAGE],
        page=page,
        more=len(invitations) > PER_PAGE,
        segments=offered,
        may_send=may_send,
        may_change=current_user.can("marketing.survey.write"),
        links=links or [],
        errors=errors or {},
        labels=labels(),
    ), status


@bp.route("/surveys/<int:survey_id>/send", methods=["POST"])
@login_required
def send_survey(survey_id: int):
    """Invite a segment's members or one customer; links to copy are shown once."""
    require("marketing.survey.write")
    found = get_survey(survey_id)
    payload: dict = {
        "channel": request.form.get("channel") or None,
        "language": request.form.get("language") or None,
    }
    customer = request.form.get("customer_id", "").strip()
    if customer:
        payload["customer_ids"] = [int(customer)] if customer.isdigit() else [customer]
    segment = request.form.get("segment_id", "").strip()
    if segment:
        payload["segment_id"] = int(segment) if segment.isdigit() else segment
    try:
        sent = send(found, payload, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _survey_page(found, errors=exc.errors, status=exc.status)
    words = labels()["skipped"]
    left_out = ", ".join(f"{n} {words.get(k, k)}" for k, n in sorted(sent.skipped.items()))
    flash(_("Invitations made: %(count)d.", count=len(sent.created)), "success")
    if left_out:
        flash(_("Left out: %(who)s.", who=left_out), "info")
    links = [(i.customer, link) for i, link in sent.created if i.channel == "link"]
    if links:
        return _survey_page(found, links=links)
    return redirect(url_for(".survey", survey_id=found.id))


@bp.route("/surveys/new")
@login_required
def new_survey():
    require("marketing.survey.write")
    values = {"kind": "nps", "status": "active", "channel": "email"}
    return render_form(None, values, [])


@bp.route("/surveys/<int:survey_id>/edit")
@login_required
def edit_survey(survey_id: int):
    require("marketing.survey.write")
    found = get_survey(survey_id)
    values = {
        "name": found.name,
        "kind": found.kind,
        "status": found.status,
        "trigger": found.trigger or "",
        "channel": found.channel,
        "version": found.version,
    }
    own = [q for q in found.questions if not (q["key"] == "score" and found.kind != "custom")]
    return render_form(found, values, own)


@bp.route("/surveys", methods=["POST"])
@login_required
def create_survey_page():
    require("marketing.survey.write")
    payload, rows = _posted()
    try:
        created = create_survey(payload, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return render_form(None, payload, payload["questions"], _by_row(exc.errors, rows), 422)
    flash(_("Survey %(name)s saved.", name=created.name), "success")
    return redirect(url_for(".survey", survey_id=created.id))


@bp.route("/surveys/<int:survey_id>", methods=["POST"])
@login_required
def save_survey(survey_id: int):
    require("marketing.survey.write")
    found = get_survey(survey_id)
    payload, rows = _posted()
    if has_answers(found):  # its questions stay as they are: change the rest
        payload.pop("questions")
        payload.pop("kind")
    try:
        update_survey(found, payload, current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        questions = payload.get("questions", [])
        return render_form(found, payload, questions, _by_row(exc.errors, rows), exc.status)
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this survey meanwhile; look again and retry."), "error")
        return redirect(url_for(".edit_survey", survey_id=survey_id))
    flash(_("Saved."), "success")
    return redirect(url_for(".survey", survey_id=survey_id))


@bp.route("/surveys/<int:survey_id>/delete", methods=["POST"])
@login_required
def delete_survey_page(survey_id: int):
    require("marketing.survey.write")
    found = get_survey(survey_id)
    try:
        delete_survey(found, current_user, form_version())
    except StaleVersionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".survey", survey_id=survey_id))
    flash(_("Survey %(name)s moved to the recycle bin.", name=found.name), "success")
    return redirect(url_for(".surveys_list"))


@bp.route("/customers/<int:customer_id>/surveys")
@login_required
def customer_surveys_tab(customer_id: int):
    """The Surveys tab of a customer's page (for a customer the user may see)."""
    if not current_user.can("marketing.survey.read"):
        abort(404)
    customer: Customer = visible_customer(customer_id, current_user)
    return render_template(
        "marketing/survey_tab.html",
        rows=customer_surveys(customer, current_user),
        tone=tone,
        labels=labels(),
    )


def _posted() -> tuple[dict, list[int]]:
    """The form as the service reads it, and the row each question came from
    (a blank row is no question)."""
    questions, rows = [], []
    for n in range(QUESTION_ROWS):
        text_en = request.form.get(f"q-en-{n}", "").strip()
        text_zh = request.form.get(f"q-zh-{n}", "").strip()
        if not text_en and not text_zh:
            continue
        kind = request.form.get(f"q-type-{n}", "text")
        question = {
            "key": f"q{n + 1}",
            "type": kind,
            "text_en": text_en,
            "text_zh_CN": text_zh,
            "required": request.form.get(f"q-required-{n}") == "1",
            "choices": _choices(request.form.get(f"q-choices-{n}", "")),
        }
        if kind == "score":
            question.update(min=0, max=10)
        questions.append(question)
        rows.append(n)
    payload = {
        "name": request.form.get("name", "").strip(),
        "kind": request.form.get("kind", "nps"),
        "status": request.form.get("status", "active"),
        "trigger": request.form.get("trigger") or None,
        "channel": request.form.get("channel", "email"),
        "questions": questions,
    }
    return payload, rows


def _choices(text: str) -> list[dict]:
    """Choices typed one a line, "English | 中文"."""
    choices = []
    for n, line in enumerate(ln for ln in text.splitlines() if ln.strip()):
        en, _sep, zh = line.partition("|")
        choices.append({"value": f"c{n + 1}", "text_en": en.strip(), "text_zh_CN": zh.strip()})
    return choices


def _by_row(errors: dict, rows: list[int]) -> dict:
    """The service's ``questions.<n>.<field>`` as the form's row numbers."""
    shown = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "questions" and len(parts) > 2 and parts[1].isdigit():
            n = int(parts[1])
            field = {"text_en": "en", "text_zh_CN": "zh"}.get(parts[2], parts[2])
            key = f"q-{field}-{rows[n] if n < len(rows) else n}"
        shown[key] = messages
    return shown


def render_form(found, values, questions, errors=None, status=200):
    rows = [
        {
            "type": q.get("type", "text"),
            "en": q.get("text_en", ""),
            "zh": q.get("text_zh_CN", ""),
            "required": q.get("required", True),
            "choices": "\n".join(
                f"{c.get('text_en', '')} | {c.get('text_zh_CN', '')}" for c in q.get("choices", [])
            ),
        }
        for q in questions
    ]
    rows += [{"type": "text", "en": "", "zh": "", "required": False, "choices": ""}] * (
        QUESTION_ROWS - len(rows)
    )
    return render_template(
        "marketing/survey_form.html",
        survey=found,
        values=values,
        rows=rows[:QUESTION_ROWS],
        locked=found is not None and has_answers(found),
        errors=errors or {},
        labels=labels(),
    ), status
