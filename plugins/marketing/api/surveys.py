"""``/api/v1/marketing``: surveys (``surveys``, CRUD and ``results``), their
invitations (``surveys/{id}/invitations``: list, and POST to invite a
segment's members or customers) and the answers (``responses``).

Every user who may read surveys sees every survey; invitations and answers
are listed through core's scope over their customer — a rep sees those of
their own customers. Reading takes ``marketing.survey.read``, defining and
sending ``marketing.survey.write``. A customer answers on the public page
``/m/s/<token>`` (which takes JSON too), not here: the API signs every
caller in.
"""

from __future__ import annotations

from flask_login import current_user

from core.api import (
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
)

from ..models import Survey, SurveyInvitation, SurveyResponse
from ..schemas.survey import (
    MarketingSurveyArgs,
    MarketingSurveyChange,
    MarketingSurveyInput,
    MarketingSurveyInvitationArgs,
    MarketingSurveyInvitationOut,
    MarketingSurveyOut,
    MarketingSurveyResponseArgs,
    MarketingSurveyResponseOut,
    MarketingSurveyResultsOut,
    MarketingSurveySendInput,
    MarketingSurveySendOut,
)
from ..services import surveys
from . import STALE, bp

SORTABLE = {"name": Survey.name, "created_at": Survey.created_at, "updated_at": Survey.updated_at}
INVITATION_SORTABLE = {"sent_at": SurveyInvitation.sent_at, "id": SurveyInvitation.id}
RESPONSE_SORTABLE = {"answered_at": SurveyResponse.answered_at, "score": SurveyResponse.score}
#: what JSON Schema cannot say of a survey, answered 422 naming only these fields
QUESTION_RULES = field_rules(
    (
        ("questions", "questions.*.*"),
        "each question is checked as MarketingSurveyQuestionInput (keys unique and not"
        " `score` for a scored kind, a score from a smaller to a larger number, two or more"
        " distinct choices); a custom survey asks at least one",
    ),
    (("channel",), "a survey with a trigger goes by e-mail or SMS, not as a link"),
)
#: whom a send names, answered 422 naming these fields
SEND_RULES = field_rules(
    (
        ("segment_id", "customer_ids"),
        "a segment or customers, one of the two; customers the caller may see;"
        " a segment of at most 2,000 members",
    )
)


@bp.route("/surveys", methods=["GET"])
@bp.arguments(sorted_by(MarketingSurveyArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(MarketingSurveyOut, "MarketingSurveyPage"))
def list_surveys(args):
    """The surveys (``q``: part of the name; ``status``, ``kind``)."""
    require("marketing.survey.read")
    return paginate(surveys.visible_surveys(args), args, SORTABLE, "name")


@bp.route("/surveys", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": MarketingSurveyInput}}},
    **QUESTION_RULES,
)
@bp.response(201, MarketingSurveyOut)
def create_survey():
    require("marketing.survey.write")
    return surveys.create_survey(json_body(), current_user)


@bp.route("/surveys/<int:survey_id>", methods=["GET"])
@bp.response(200, MarketingSurveyOut)
def get_survey(survey_id: int):
    require("marketing.survey.read")
    return surveys.get_survey(survey_id)


@bp.route("/surveys/<int:survey_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": MarketingSurveyChange}}},
    responses=STALE,
    **QUESTION_RULES,
)
@bp.response(200, MarketingSurveyOut)
def update_survey(survey_id: int):
    """Change what the body names; send the ``version`` you read (409 when
    stale, and for new questions of a survey already answered)."""
    require("marketing.survey.write")
    survey = surveys.get_survey(survey_id)
    payload = dict(json_body())
    return surveys.update_survey(survey, payload, current_user, expected_version(payload))


@bp.route("/surveys/<int:survey_id>", methods=["DELETE"])
@bp.doc(responses=STALE)
@bp.response(204)
def delete_survey(survey_id: int):
    """Into the recycle bin (``If-Match``: the version you read)."""
    require("marketing.survey.write")
    survey = surveys.get_survey(survey_id)
    surveys.delete_survey(survey, current_user, expected_version({}))


@bp.route("/surveys/<int:survey_id>/results", methods=["GET"])
@bp.response(200, MarketingSurveyResultsOut)
def survey_results(survey_id: int):
    """NPS, CSAT, the distribution and the free-text answers, over the
    answers the caller may see."""
    require("marketing.survey.read")
    return surveys.survey_results(surveys.get_survey(survey_id), current_user)


@bp.route("/surveys/<int:survey_id>/invitations", methods=["GET"])
@bp.arguments(
    sorted_by(MarketingSurveyInvitationArgs, INVITATION_SORTABLE), location="query", as_kwargs=False
)
@bp.response(200, page_schema(MarketingSurveyInvitationOut, "MarketingSurveyInvitationPage"))
def list_invitations(args, survey_id: int):
    """The survey's invitations of the customers the caller may see."""
    require("marketing.survey.read")
    survey = surveys.get_survey(survey_id)
    query = surveys.visible_invitations(current_user).where(SurveyInvitation.survey_id == survey.id)
    if args.get("customer_id"):
        query = query.where(SurveyInvitation.customer_id == args["customer_id"])
    if "answered" in args:
        answered = SurveyInvitation.answered_at.is_not(None)
        query = query.where(answered if args["answered"] else ~answered)
    return paginate(query, args, INVITATION_SORTABLE, "-sent_at")


@bp.route("/surveys/<int:survey_id>/invitations", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": MarketingSurveySendInput}}},
    **SEND_RULES,
)
@bp.response(201, MarketingSurveySendOut)
def send_invitations(survey_id: int):
    """Invite a segment's members or customers (as the caller sees them), by
    the survey's channel to those who consented, or as links to copy: each
    link is in this answer only. A closed survey is a 409."""
    require("marketing.survey.write")
    survey = surveys.get_survey(survey_id)
    sent = surveys.send(survey, json_body(), current_user)
    for invitation, link in sent.created:
        invitation.link = link  # shown this once, never stored
    return {"created": [invitation for invitation, _link in sent.created], "skipped": sent.skipped}


@bp.route("/responses", methods=["GET"])
@bp.arguments(
    sorted_by(MarketingSurveyResponseArgs, RESPONSE_SORTABLE), location="query", as_kwargs=False
)
@bp.response(200, page_schema(MarketingSurveyResponseOut, "MarketingSurveyResponsePage"))
def list_responses(args):
    """The answers of the customers the caller may see (``survey_id``,
    ``customer_id``)."""
    require("marketing.survey.read")
    query = surveys.visible_responses(current_user)
    for key in ("survey_id", "customer_id"):
        if args.get(key):
            query = query.where(getattr(SurveyResponse, key) == args[key])
    return paginate(query, args, RESPONSE_SORTABLE, "-answered_at")
