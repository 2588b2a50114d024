"""``/marketing/reports/surveys`` (Reports → Survey results): every
survey's invitations, answers, answer rate and NPS or CSAT over a period,
and NPS per account manager — over what the user may see."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from core.api import require

from ..services.journey import as_instants, cohort_bounds
from ..services.surveys.report import survey_report
from .blueprint import bp


@bp.route("/reports/surveys")
@login_required
def survey_report_page():
    require("marketing.survey.read")
    since, until, errors = cohort_bounds(request.args)
    return render_template(
        "marketing/survey_report.html",
        report=survey_report(current_user, *as_instants(since, until)),
        since=since,
        until=until,
        errors=errors,
    ), 422 if errors else 200
