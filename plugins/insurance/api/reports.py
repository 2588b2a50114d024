"""``/api/v1/insurance/reports/...``: the book's reports (plan §3.8) — the
same figures as the Insurance reports page. Each takes ``from``/``to``
(whole months, YYYY-MM), ``group_by`` and ``currency``; money is per
currency and never added across currencies. An agent's reports count only
their own records, a manager's their team's (``services/access.py``)."""

from __future__ import annotations

from flask_login import current_user

from core.api import require

from ..schemas.reports import OUTPUTS, ReportArgs
from ..services.reports import REPORTS
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
