"""The Insurance reports page ``/insurance/reports``: a period in whole
months, key figures (KPI cards), the months drawn as charts (core's
``core/_charts.html``) and a table per report by the chosen group — the
same figures as ``/api/v1/insurance/reports/...`` (``services/reports``).
Agent production shows to those who may read commission, commission
variance (the carrier statements) to those who may import statements.

Filters come from the query string through the API's own schema; a value
that does not validate is dropped (the page still shows, unfiltered by it),
as the sales reports page does."""

from __future__ import annotations

from decimal import Decimal

from flask import render_template, request
from flask_login import current_user, login_required
from marshmallow import ValidationError as SchemaError

from core.api import require, translator

from ..schemas.reports import ReportArgs
from ..services.reports import REPORTS, loss_ratio
from ..services.reports.period import month_key
from ..services.reports.production import agent_production, commission_variance
from .blueprint import bp

_, _l = translator("insurance")

FILTERS = ("from", "to", "group_by", "currency")


def report_filters() -> dict:
    """The valid filters of the query string (invalid ones left out)."""
    raw = {k: v for k in FILTERS if (v := request.args.get(k, "").strip())}
    try:
        return ReportArgs().load(raw)
    except SchemaError as exc:
        good = {k: v for k, v in raw.items() if k not in exc.messages}
        try:
            return ReportArgs().load(good)
        except SchemaError:
            return ReportArgs().load({})


def group_names() -> list[tuple[str, str]]:
    return [
        ("month", _("Month")),
        ("carrier", _("Carrier")),
        ("product", _("Product")),
        ("line", _("Line")),
        ("agent", _("Agent")),
    ]


@bp.route("/reports")
@login_required
def reports():
    """Key figures, monthly charts and the reports' tables for the period."""
    require("insurance.report.read")
    args = report_filters()
    period, group_by, currency = args["period"], args["group_by"], args["currency"]
    monthly = every_report(period, "month", currency)
    grouped = monthly if group_by == "month" else every_report(period, group_by, currency)
    currencies = sorted({t["currency"] for t in monthly["premium"]["totals"]})
    months = [month_key(m) for m in period.months()]
    premium_months = {
        cur: {
            "written": [_cell(monthly["premium"], m, cur, "written") for m in months],
            "earned": [_cell(monthly["premium"], m, cur, "earned") for m in months],
        }
        for cur in currencies
    }
    in_force_months = [
        sum(r["count"] for r in monthly["in-force"]["rows"] if r["month"] == m) for m in months
    ]
    production = variance = None
    if current_user.can("insurance.commission.read"):
        production = agent_production(current_user, period, currency=currency)
    if current_user.can("insurance.commission.write"):
        variance = commission_variance(current_user, period, currency=currency)
    return render_template(
        "insurance/reports/index.html",
        period=period,
        group_by=group_by,
        currency=currency or "",
        groups=group_names(),
        month_from=month_key(period.first),
        month_to=month_key(period.last),
        months=months,
        currencies=currencies,
        premium_months=premium_months,
        in_force_months=in_force_months,
        monthly=monthly,
        grouped=grouped,
        group_label=dict(group_names())[group_by],
        production=production,
        variance=variance,
        variance_months=variance_by_month(variance, months) if variance else {},
    )


def every_report(period, group_by: str, currency) -> dict[str, dict]:
    """Each report for the user; the loss ratio reads the premium report's
    earned figures instead of working them out again."""
    found = {}
    for name, run in REPORTS.items():
        if name == "loss-ratio":
            earned = {(r["group"], r["currency"]): r["earned"] for r in found["premium"]["rows"]}
            found[name] = loss_ratio(current_user, period, group_by, currency, earned=earned)
        else:
            found[name] = run(current_user, period, group_by, currency)
    return found


def variance_by_month(report: dict, months: list[str]) -> dict[str, dict[str, list]]:
    """Per currency, the expected and the received commission of each month
    (all carriers) — the commission variance chart's series."""
    found: dict[str, dict[str, list]] = {}
    for total in report["totals"]:
        cur = total["currency"]
        rows = [r for r in report["rows"] if r["currency"] == cur]
        found[cur] = {
            m: [sum((r[m] for r in rows if r["month"] == month), Decimal(0)) for month in months]
            for m in ("expected", "received")
        }
    return found


def _cell(report: dict, month: str, currency: str, measure: str):
    for row in report["rows"]:
        if row["group"] == month and row["currency"] == currency:
            return row[measure]
    return 0
