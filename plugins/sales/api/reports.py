"""``/api/v1/sales/reports``: the funnel, the forecast and the account-manager
KPIs — the same figures as the reports page (``services.reports``,
``services.kpis``)."""

from __future__ import annotations

from flask_login import current_user

from core.api import MissingReferenceError, db, field_rules, require, translator

from ..models import Pipeline
from ..schemas.reports import ForecastOut, FunnelArgs, FunnelOut, KpisOut
from ..services import kpis as kpi_service  # the view ``kpis`` (its endpoint) has the name
from ..services import reports
from .blueprint import bp

_, _l = translator("sales")


#: a report's period runs forward (JSON Schema cannot compare two dates)
FORWARD = field_rules((("start", "end"), "end is after start"))


@bp.route("/reports/funnel", methods=["GET"])
@bp.arguments(FunnelArgs, location="query", as_kwargs=False)
@bp.doc(responses={"404": {"description": "no pipeline with this id"}}, **FORWARD)
@bp.response(200, FunnelOut)
def funnel(args):
    """销售漏斗: deals that reached each stage, stage-to-stage conversion, win rate, cycle,
    lost reasons, the open pipeline by owner and team, lead → customer conversion."""
    require("sales.report.read")
    pipeline = db.session.get(Pipeline, args["pipeline_id"])
    if pipeline is None:
        raise MissingReferenceError({"pipeline_id": [_("no pipeline with this id")]})
    return reports.funnel(current_user, pipeline, args)


@bp.route("/reports/forecast", methods=["GET"])
@bp.arguments(reports.ReportArgs, location="query", as_kwargs=False)
@bp.doc(**FORWARD)
@bp.response(200, ForecastOut)
def forecast(args):
    """销售预测 by month and currency: open amount, weighted by win probability, and won."""
    require("sales.report.read")
    return {"months": reports.forecast(current_user, args)}


@bp.route("/reports/kpis", methods=["GET"])
@bp.arguments(kpi_service.KpiArgs, location="query", as_kwargs=False)
@bp.doc(**FORWARD)
@bp.response(200, KpisOut)
def kpis(args):
    """Account-manager KPIs per owner, for deals closed (and tasks due) in the period."""
    require("sales.report.read")
    return {"owners": kpi_service.kpis(current_user, args)}
