"""``/api/v1/his/surveys`` and ``/api/v1/his/complaints``: satisfaction
surveys after visits (answered on their public page, not here), their
figures; complaints — record, read, handle through their states, figures.

Reading needs ``his.feedback.read`` (a doctor sees their department's:
core's ``scoped``, team scope), recording and handling complaints
``his.feedback.write``."""

from __future__ import annotations

from flask_login import current_user

from core.api import json_body, page_schema, paginate, require, sorted_by

from ..models import Complaint, Survey
from ..schemas.feedback import (
    HisComplaintArgs,
    HisComplaintFiguresOut,
    HisComplaintOut,
    HisPeriodArgs,
    HisSurveyArgs,
    HisSurveyFiguresArgs,
    HisSurveyFiguresOut,
    HisSurveyOut,
)
from ..services import feedback
from ..services.feedback.inputs import ComplaintInput, ComplaintMoveInput
from .blueprint import bp

SURVEY_SORTS = {"sent_at": Survey.sent_at, "answered_at": Survey.answered_at, "id": Survey.id}
COMPLAINT_SORTS = {
    "received_at": Complaint.received_at,
    "status": Complaint.status,
    "id": Complaint.id,
}


def period_of(args: dict) -> feedback.Period:
    return feedback.period_of(args.get("date_from"), args.get("date_to"))


@bp.route("/surveys", methods=["GET"])
@bp.arguments(sorted_by(HisSurveyArgs, SURVEY_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisSurveyOut, "HisSurveyPage"))
def list_surveys(args):
    """Surveys the caller may see, latest sent first; by patient,
    department, doctor, answered or not."""
    require("his.feedback.read")
    query = feedback.visible_surveys(current_user)
    for key in ("customer_id", "department_id", "doctor_id"):
        if args.get(key) is not None:
            query = query.where(getattr(Survey, key) == args[key])
    if args.get("answered") is not None:
        answered = Survey.answered_at.is_not(None)
        query = query.where(answered if args["answered"] else ~answered)
    return paginate(query, args, SURVEY_SORTS, "-sent_at")


@bp.route("/surveys/figures", methods=["GET"])
@bp.arguments(HisSurveyFiguresArgs, location="query", as_kwargs=False)
@bp.response(200, HisSurveyFiguresOut)
def survey_figures(args):
    """Surveys sent and answered in the period (default: the last 30 days),
    the average CSAT and the NPS — of what the caller may see."""
    require("his.feedback.read")
    return feedback.survey_figures(period_of(args), args.get("department_id"), current_user)


@bp.route("/complaints", methods=["GET"])
@bp.arguments(sorted_by(HisComplaintArgs, COMPLAINT_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisComplaintOut, "HisComplaintPage"))
def list_complaints(args):
    """Complaints the caller may see, latest first; by patient, department,
    handler, category and state."""
    require("his.feedback.read")
    query = feedback.visible_complaints(current_user)
    for key in ("customer_id", "department_id", "handler_id", "category", "status"):
        if args.get(key) is not None:
            query = query.where(getattr(Complaint, key) == args[key])
    return paginate(query, args, COMPLAINT_SORTS, "-received_at")


@bp.route("/complaints", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": ComplaintInput}}})
@bp.response(201, HisComplaintOut)
def create_complaint():
    """Record a complaint (投诉); about a visit, it takes the visit's department."""
    require("his.feedback.write")
    return feedback.create_complaint(json_body(), current_user)


@bp.route("/complaints/figures", methods=["GET"])
@bp.arguments(HisPeriodArgs, location="query", as_kwargs=False)
@bp.response(200, HisComplaintFiguresOut)
def complaint_figures(args):
    """Complaints received in the period (default: the last 30 days) by
    category and by state — of what the caller may see."""
    require("his.feedback.read")
    return feedback.complaint_figures(period_of(args), current_user)


@bp.route("/complaints/<int:complaint_id>", methods=["GET"])
@bp.response(200, HisComplaintOut)
def get_complaint(complaint_id: int):
    require("his.feedback.read")
    return feedback.visible_complaint(complaint_id, current_user)


@bp.route("/complaints/<int:complaint_id>/moves", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": ComplaintMoveInput}}})
@bp.response(200, HisComplaintOut)
def move_complaint(complaint_id: int):
    """Take a step: ``start``, ``resolve`` and ``close`` (both need a
    ``resolution``: 422 naming it), ``reopen``; a step the state does not
    allow is a 409 ``illegal-transition``, a stale ``version`` a 409."""
    require("his.feedback.write")
    complaint = feedback.visible_complaint(complaint_id, current_user)
    return feedback.move_complaint(complaint, json_body(), current_user)
