"""``/api/v1/sales/reports``: the funnel, the forecast and the account-manager
KPIs — the same figures as the reports page (``reports``, ``reports_kpis``)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from core.api import NotFoundError, db, require, translator

from . import reports, reports_kpis
from .models import Pipeline
from .rest import bp

_, _l = translator("sales")
MONEY = {"description": "decimal string, two places"}
WEIGHTED = {"description": "decimal, weighted by win probability"}


class FunnelStageOut(Schema):
    id = fields.Integer()
    name = fields.String()
    probability = fields.Integer()
    reached = fields.Integer(metadata={
        "description": "deals that reached this stage or a later one"})
    conversion = fields.Float(allow_none=True, metadata={
        "description": "share of this stage's deals that reached the next one"})


class LostReasonOut(Schema):
    reason = fields.String()
    currency = fields.String()
    deals = fields.Integer()
    amount = fields.String(metadata=MONEY)


class _OpenPipelineRow(Schema):
    name = fields.String()
    currency = fields.String()
    deals = fields.Integer(metadata={"description": "open deals"})
    amount = fields.String(metadata=MONEY)
    weighted_amount = fields.String(metadata=WEIGHTED)


class OwnerPipelineOut(_OpenPipelineRow):
    owner_id = fields.Integer(allow_none=True)


class TeamPipelineOut(_OpenPipelineRow):
    team_id = fields.Integer(allow_none=True)


class LeadConversionOut(Schema):
    leads = fields.Integer(metadata={"description": "leads created in the period"})
    converted = fields.Integer(metadata={"description": "of them, converted into a customer"})
    rate = fields.Float(allow_none=True)


class FunnelOut(Schema):
    pipeline_id = fields.Integer()
    stages = fields.List(fields.Nested(FunnelStageOut))
    deals = fields.Integer()
    open = fields.Integer()
    won = fields.Integer()
    lost = fields.Integer()
    win_rate = fields.Float(allow_none=True)
    average_cycle_days = fields.Float(allow_none=True)
    lost_reasons = fields.List(fields.Nested(LostReasonOut))
    by_owner = fields.List(fields.Nested(OwnerPipelineOut))
    by_team = fields.List(fields.Nested(TeamPipelineOut))
    lead_conversion = fields.Nested(LeadConversionOut)


class MonthOut(Schema):
    month = fields.String(metadata={"description": "YYYY-MM"})
    currency = fields.String()
    open_amount = fields.String(metadata={"description": "decimal, open deals expected to close"})
    weighted_amount = fields.String(metadata=WEIGHTED)
    won_amount = fields.String(metadata={"description": "decimal, deals won (by close month)"})


class ForecastOut(Schema):
    months = fields.List(fields.Nested(MonthOut))


class CustomerValueOut(Schema):
    currency = fields.String()
    won_amount = fields.String(metadata=MONEY)
    customers = fields.Integer()
    average = fields.String(metadata={"description": "decimal, won amount / customers"})


class KpiOut(Schema):
    owner_id = fields.Integer(allow_none=True)
    name = fields.String()
    new_customers = fields.Integer(metadata={
        "description": "customers whose first won deal closed in the period"})
    won = fields.Integer()
    lost = fields.Integer()
    conversion_rate = fields.Float(allow_none=True, metadata={"description": "won / (won + lost)"})
    customer_value = fields.List(fields.Nested(CustomerValueOut))
    valuable_customers_lost = fields.Integer(metadata={
        "description": "grade A customers, or won for at least valuable_amount, who lost a deal"})
    tasks_due = fields.Integer()
    tasks_on_time = fields.Integer()
    punctuality = fields.Float(allow_none=True, metadata={
        "description": "share of the follow-up tasks due in the period done by their due time"})


class KpisOut(Schema):
    owners = fields.List(fields.Nested(KpiOut))


class FunnelArgs(reports.ReportArgs):
    pipeline_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))


@bp.route("/reports/funnel", methods=["GET"])
@bp.arguments(FunnelArgs, location="query", as_kwargs=False)
@bp.response(200, FunnelOut)
def funnel(args):
    """销售漏斗: deals that reached each stage, stage-to-stage conversion, win rate, cycle,
    lost reasons, the open pipeline by owner and team, lead → customer conversion."""
    require("sales.report.read")
    pipeline = db.session.get(Pipeline, args["pipeline_id"])
    if pipeline is None:
        raise NotFoundError(_("pipeline %(id)s not found", id=args["pipeline_id"]))
    return reports.funnel(current_user, pipeline, args)


@bp.route("/reports/forecast", methods=["GET"])
@bp.arguments(reports.ReportArgs, location="query", as_kwargs=False)
@bp.response(200, ForecastOut)
def forecast(args):
    """销售预测 by month and currency: open amount, weighted by win probability, and won."""
    require("sales.report.read")
    return {"months": reports.forecast(current_user, args)}


@bp.route("/reports/kpis", methods=["GET"])
@bp.arguments(reports_kpis.KpiArgs, location="query", as_kwargs=False)
@bp.response(200, KpisOut)
def kpis(args):
    """Account-manager KPIs per owner, for deals closed (and tasks due) in the period."""
    require("sales.report.read")
    return {"owners": reports_kpis.kpis(current_user, args)}
