"""``/api/v1/sales/reports``: the money reports (回款报表) — aging, overdue
instalments, collection rate and DSO, contracted vs collected, quote
conversion and approval turnaround (``services.money_reports``), the same
figures as the page ``/sales/reports/money``."""

from __future__ import annotations

from datetime import date

from flask_login import current_user

from core.api import field_rules, first_of_next_month, instance_currency, require, utcnow

from ..schemas.money_reports import (
    AgingArgs,
    AgingOut,
    AsOfArgs,
    CollectionArgs,
    CollectionOut,
    ContractedOut,
    GroupedPeriodArgs,
    OverdueOut,
    PeriodArgs,
    QuoteConversionOut,
    TurnaroundOut,
)
from ..services import money_reports as reports
from .blueprint import bp

#: a report's period runs forward (JSON Schema cannot compare two dates)
FORWARD = field_rules((("start", "end"), "end is after start"))


def today() -> date:
    return utcnow().date()


def period(args: dict) -> tuple[date, date]:
    """The period asked for; by default this UTC month (or the month ``start`` is in)."""
    start = args.get("start") or today().replace(day=1)
    return start, args.get("end") or first_of_next_month(start)


@bp.route("/reports/aging", methods=["GET"])
@bp.arguments(AgingArgs, location="query", as_kwargs=False)
@bp.response(200, AgingOut)
def aging_report(args):
    """账龄: open instalment amounts by days overdue (not yet due, 1–30, 31–60,
    61–90, over 90), per owner and in total, in one currency."""
    require("sales.report.read")
    as_of = args.get("as_of") or today()
    currency = args.get("currency") or instance_currency()
    return reports.aging(current_user, as_of, currency, args.get("team_id"))


@bp.route("/reports/overdue", methods=["GET"])
@bp.arguments(AsOfArgs, location="query", as_kwargs=False)
@bp.response(200, OverdueOut)
def overdue_report(args):
    """Overdue instalments per owner and currency: count, open amount, the oldest."""
    require("sales.report.read")
    as_of = args.get("as_of") or today()
    return {"as_of": as_of, "owners": reports.overdue(current_user, as_of, args.get("team_id"))}


@bp.route("/reports/contracted-vs-collected", methods=["GET"])
@bp.arguments(GroupedPeriodArgs, location="query", as_kwargs=False)
@bp.doc(**FORWARD)
@bp.response(200, ContractedOut)
def contracted_vs_collected_report(args):
    """签约 vs 回款 by owner, team or month: contracts signed in the period
    against money collected in it (a reversal taken back in its own month)."""
    require("sales.report.read")
    start, end = period(args)
    rows = reports.contracted_vs_collected(
        current_user, start, end, args["by"], args.get("team_id")
    )
    return {"start": start, "end": end, "by": args["by"], "rows": rows}


@bp.route("/reports/quote-conversion", methods=["GET"])
@bp.arguments(PeriodArgs, location="query", as_kwargs=False)
@bp.doc(**FORWARD)
@bp.response(200, QuoteConversionOut)
def quote_conversion_report(args):
    """报价转化: quotes sent in the period, what became of them, how many became contracts."""
    require("sales.report.read")
    start, end = period(args)
    found = reports.quote_conversion(current_user, start, end, args.get("team_id"))
    return {"start": start, "end": end, **found}


@bp.route("/reports/approval-turnaround", methods=["GET"])
@bp.arguments(PeriodArgs, location="query", as_kwargs=False)
@bp.doc(**FORWARD)
@bp.response(200, TurnaroundOut)
def approval_turnaround_report(args):
    """审批时效: decisions taken in the period on sales records, per flow and
    per approver, with the median and 90th percentile hours to decide
    (``team_id`` does not apply: approvers are not a team's)."""
    require("sales.report.read")
    start, end = period(args)
    return reports.approval_turnaround(current_user, start, end)


@bp.route("/reports/collection", methods=["GET"])
@bp.arguments(CollectionArgs, location="query", as_kwargs=False)
@bp.doc(**FORWARD)
@bp.response(200, CollectionOut)
def collection_report(args):
    """回款率 and DSO: of the instalments due in the period the share collected;
    days sales outstanding on ``as_of`` = open receivables ÷ contracted in the
    last ``days`` × ``days``."""
    require("sales.report.read")
    start, end = period(args)
    as_of, team = args.get("as_of") or today(), args.get("team_id")
    return {
        "start": start,
        "end": end,
        "as_of": as_of,
        "rates": reports.collection_rate(current_user, start, end, team),
        "dso": reports.dso(current_user, as_of, args["days"], team),
    }
