"""What ``/api/v1/sales/reports`` answers: the funnel, the forecast and the
account-manager KPIs. The filters they read (``services.reports.ReportArgs``,
``services.kpis.KpiArgs``) live with the reports, which the reports page
shares."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..services import reports

MONEY = {"description": "decimal string, two places"}
WEIGHTED = {"description": "decimal, weighted by win probability"}


class FunnelStageOut(Schema):
    id = fields.Integer()
    name = fields.String()
    probability = fields.Integer()
    reached = fields.Integer(
        metadata={"description": "deals that reached this stage or a later one"}
    )
    conversion = fields.Float(
        allow_none=True,
        metadata={"description": "share of this stage's deals that reached the next one"},
    )


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
    new_customers = fields.Integer(
        metadata={"description": "customers whose first won deal closed in the period"}
    )
    won = fields.Integer()
    lost = fields.Integer()
    conversion_rate = fields.Float(allow_none=True, metadata={"description": "won / (won + lost)"})
    customer_value = fields.List(fields.Nested(CustomerValueOut))
    valuable_customers_lost = fields.Integer(
        metadata={
            "description": "grade A customers, or won for at least valuable_amount, who lost a deal"
        }
    )
    tasks_due = fields.Integer()
    tasks_on_time = fields.Integer()
    punctuality = fields.Float(
        allow_none=True,
        metadata={
            "description": "share of the follow-up tasks due in the period done by their due time"
        },
    )


class KpisOut(Schema):
    owners = fields.List(fields.Nested(KpiOut))


class FunnelArgs(reports.ReportArgs):
    pipeline_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
