"""``/api/v1/insurance/reports/...``: the book's reports (plan §3.8) — the
same figures as the Insurance reports page. Each takes ``from``/``to``
(whole months, YYYY-MM), ``group_by`` and ``currency``; money is per
currency and never added across currencies. An agent's reports count only
their own records, a manager's their team's (``services/access.py``)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from core.api import require

from ..schemas.reports import OUTPUTS, ReportArgs
from ..services.reports import REPORTS
from ..services.reports.production import agent_production, commission_variance
from .blueprint import bp

SUMMARIES = {
    "premium": "Written and earned premium (签单保费 / 已赚保费) per currency.",
    "in-force": "Policy terms in force at each month end, and now.",
    "new-business": "New business (新单): count and APE of term-1 policies issued.",
    "lapse-rate": "Lapse rate (失效率): lapses ÷ the mean of the terms in force at start and end.",
    "persistency": "13- and 25-month persistency (继续率), premium and count basis.",
    "renewal-rate": "Renewal rate (续保率) by the month terms end; open ones apart.",
    "loss-ratio": "Loss ratio (赔付率): claims incurred ÷ earned premium.",
    "claim-cycle": "Claim cycle time (理赔时效): mean days from report to paid or rejected.",
    "quote-to-bind": "Quote-to-bind rate (报价承保率) of the quotes made in the period.",
    "callback-compliance": "Callbacks (回访) done by the end of the cooling-off period.",
}


def answer(name: str, args: dict) -> dict:
    """Report ``name`` for the caller, as its schema dumps it."""
    period = args["period"]
    figures = REPORTS[name](current_user, period, args["group_by"], args["currency"])
    return {
        "first": period.first,
        "last": period.last,
        "group_by": args["group_by"],
        "currency": args["currency"],
        **figures,
    }


def _route(name: str) -> None:
    def view(args):
        require("insurance.report.read")
        return answer(name, args)

    view.__name__ = "report_" + name.replace("-", "_")
    view.__doc__ = SUMMARIES[name]
    endpoint = bp.route(f"/reports/{name}", methods=["GET"])
    endpoint(
        bp.arguments(ReportArgs, location="query", as_kwargs=False)(
            bp.response(200, OUTPUTS[name])(view)
        )
    )


for _name in REPORTS:
    _route(_name)


# --- agent production and commission variance ------------------------------------


class PeriodArgs(ReportArgs):
    """``from``/``to`` (YYYY-MM, both included; default the last twelve
    months) and ``currency``: the rows are always per agent or per carrier."""

    class Meta:
        exclude = ("group_by",)

    @staticmethod
    def _rest(data: dict) -> dict:
        return {"currency": data.get("currency")}


def _money(*names: str) -> dict:
    return {n: fields.Decimal(as_string=True) for n in names}


def _counts(*names: str) -> dict:
    return {n: fields.Integer() for n in names}


def _out(name: str, key: str, row: dict, total: dict) -> type[Schema]:
    """The answer schema ``<name>Out``: the period, ``rows`` and ``totals``
    (per currency)."""
    row_schema = Schema.from_dict(
        {
            "group": fields.String(metadata={"description": key}),
            "label": fields.String(),
            "currency": fields.String(),
            **row,
        },
        name=f"{name}Row",
    )
    total_schema = Schema.from_dict({"currency": fields.String(), **total}, name=f"{name}Total")
    return Schema.from_dict(
        {
            "first": fields.Date(),
            "last": fields.Date(),
            "group_by": fields.String(metadata={"description": "agent, or carrier"}),
            "currency": fields.String(allow_none=True),
            "rows": fields.List(fields.Nested(row_schema)),
            "totals": fields.List(fields.Nested(total_schema)),
        },
        name=f"{name}Out",
    )


_PRODUCTION = {
    **_counts("new_count", "renewals", "lapses"),
    **_money("ape", "renewal_ape", "written", "commission"),
}
_VARIANCE = {
    **_counts("statements", "matched", "unmatched"),
    **_money("received", "expected", "variance"),
}
ProductionOut = _out(
    "InsuranceAgentProductionReport",
    "the agent's user id",
    {
        "rank": fields.Integer(metadata={"description": "the leaderboard's, within the currency"}),
        "code": fields.String(allow_none=True, metadata={"description": "the agent's code"}),
        **_PRODUCTION,
    },
    _PRODUCTION,
)
VarianceOut = _out(
    "InsuranceCommissionVarianceReport",
    "the carrier's id",
    {"month": fields.String(metadata={"description": "YYYY-MM"}), **_VARIANCE},
    _VARIANCE,
)


@bp.route("/reports/agent-production", methods=["GET"])
@bp.arguments(PeriodArgs, location="query", as_kwargs=False)
@bp.response(200, ProductionOut)
def report_agent_production(args):
    """Agent production (业绩): per agent and currency, in the leaderboard's
    order — new business (count, APE), renewals (count, annual premium),
    written premium, lapses and commission earned. An agent sees only their
    own row, a manager their team's."""
    require("insurance.report.read")
    require("insurance.commission.read")
    figures = agent_production(current_user, args["period"], currency=args["currency"])
    return _answer(args, "agent", figures)


@bp.route("/reports/commission-variance", methods=["GET"])
@bp.arguments(PeriodArgs, location="query", as_kwargs=False)
@bp.response(200, VarianceOut)
def report_commission_variance(args):
    """Commission variance (佣金差异): per carrier, month and currency, the
    carrier statements added up — received, expected, variance (received −
    expected), rows matched and not."""
    require("insurance.report.read")
    require("insurance.commission.write")
    figures = commission_variance(current_user, args["period"], currency=args["currency"])
    return _answer(args, "carrier", figures)


def _answer(args: dict, group_by: str, figures: dict) -> dict:
    period = args["period"]
    return {
        "first": period.first,
        "last": period.last,
        "group_by": group_by,
        "currency": args["currency"],
        **figures,
    }
