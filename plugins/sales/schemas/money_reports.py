"""What ``/api/v1/sales/reports/{aging, contracted-vs-collected,
quote-conversion, approval-turnaround, overdue, collection}`` read and
answer (:mod:`plugins.sales.services.money_reports`). Money travels as
decimal strings, shares as decimal strings of four places (0.2500 is 25 %),
hours as decimal strings of one place."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from core.api import translator

from ..services.money_reports import GROUPINGS
from ..services.validation import Currency, Id
from .targets import Dec

_, _l = translator("sales")


def Share(description: str) -> fields.Decimal:  # noqa: N802  (reads like a field)
    return Dec(
        f"{description}; decimal, four places (0.2500 is 25 %); null: nothing to divide by",
        allow_none=True,
    )


class TeamArg(Schema):
    team_id = Id(metadata={"description": "only this team and its sub-teams"})


class PeriodArgs(TeamArg):
    start = fields.Date(
        metadata={
            "description": "first day of the period (included); default: the first of this month"
        }
    )
    end = fields.Date(
        metadata={
            "description": "day after the period (excluded); default: the first of next month"
        }
    )

    @validates_schema
    def _period_runs_forward(self, data: dict, **_kwargs) -> None:
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise SchemaError(_("the end must be after the start"), "end")


class GroupedPeriodArgs(PeriodArgs):
    by = fields.String(
        load_default="owner",
        validate=validate.OneOf(GROUPINGS),
        metadata={"description": "group by owner, team or month (default owner)"},
    )


class AsOfArgs(TeamArg):
    as_of = fields.Date(metadata={"description": "the day overdue days count to; default today"})


class AgingArgs(AsOfArgs):
    currency = Currency(metadata={"description": "ISO 4217; default the instance's currency"})


class CollectionArgs(PeriodArgs):
    as_of = fields.Date(metadata={"description": "the day DSO is taken on; default today"})
    days = fields.Integer(
        load_default=90,
        validate=validate.Range(min=1, max=3660),
        metadata={"description": "the DSO window in days (default 90)"},
    )


class AgingBuckets(Schema):
    current = Dec("not yet due")
    d1_30 = Dec("1–30 days overdue")
    d31_60 = Dec("31–60 days overdue")
    d61_90 = Dec("61–90 days overdue")
    d90_plus = Dec("over 90 days overdue")
    total = Dec()


class AgingOwner(AgingBuckets):
    owner_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)


class AgingOut(Schema):
    as_of = fields.Date()
    currency = fields.String()
    owners = fields.List(fields.Nested(AgingOwner))
    total = fields.Nested(AgingBuckets)


class OverdueRow(Schema):
    owner_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)
    currency = fields.String()
    count = fields.Integer(metadata={"description": "overdue instalments"})
    amount = Dec("what is open of them")
    oldest_due_date = fields.Date()
    oldest_days = fields.Integer(metadata={"description": "days the oldest is overdue"})


class OverdueOut(Schema):
    as_of = fields.Date()
    owners = fields.List(fields.Nested(OverdueRow))


class ContractedRow(Schema):
    key = fields.String(
        allow_none=True, metadata={"description": "the owner's or team's id, or the month YYYY-MM"}
    )
    label = fields.String(allow_none=True, metadata={"description": "name or month"})
    currency = fields.String()
    contracted = Dec("contracts signed in the period")
    collected = Dec("confirmed payments paid in the period")
    reversed = Dec("payments reversed in the period")
    net = Dec("collected − reversed")
    rate = Share("net ÷ contracted")


class ContractedOut(Schema):
    start = fields.Date()
    end = fields.Date()
    by = fields.String()
    rows = fields.List(fields.Nested(ContractedRow))


class QuoteConversionOut(Schema):
    start = fields.Date()
    end = fields.Date()
    sent = fields.Integer(metadata={"description": "quotes sent in the period (each revision)"})
    accepted = fields.Integer()
    rejected = fields.Integer()
    expired = fields.Integer()
    open = fields.Integer(metadata={"description": "sent, not decided yet"})
    superseded = fields.Integer()
    contracted = fields.Integer(metadata={"description": "of them, named by a contract"})
    accept_rate = Share("accepted ÷ sent")
    contract_rate = Share("contracted ÷ sent")


class TurnaroundRow(Schema):
    name = fields.String(allow_none=True)
    decisions = fields.Integer()
    approved = fields.Integer()
    rejected = fields.Integer()
    median_hours = Dec("hours from a task's opening to its decision, one place", allow_none=True)
    p90_hours = Dec("90th percentile of the same, one place", allow_none=True)


class FlowTurnaround(TurnaroundRow):
    flow_id = fields.Integer(allow_none=True)


class ApproverTurnaround(TurnaroundRow):
    approver_id = fields.Integer()


class TurnaroundOut(Schema):
    start = fields.Date()
    end = fields.Date()
    flows = fields.List(fields.Nested(FlowTurnaround))
    approvers = fields.List(fields.Nested(ApproverTurnaround))


class RateRow(Schema):
    currency = fields.String()
    due = Dec("instalments due in the period")
    collected = Dec("what of them is collected")
    rate = Share("collected ÷ due")


class DsoRow(Schema):
    currency = fields.String()
    receivable = Dec("open amounts of the instalments due by as_of")
    contracted = Dec("contracts signed in the window up to as_of")
    days = fields.Integer()
    dso = Dec("receivable ÷ contracted × days, one place", allow_none=True)


class CollectionOut(Schema):
    start = fields.Date()
    end = fields.Date()
    as_of = fields.Date()
    rates = fields.List(fields.Nested(RateRow))
    dso = fields.List(fields.Nested(DsoRow))


class MoneyPageArgs(PeriodArgs):
    """The money reports page's filters (the period, a team, the aging day and currency)."""

    as_of = fields.Date()
    currency = Currency()
