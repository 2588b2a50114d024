"""The money reports page ``/sales/reports/money`` (回款报表): contracted vs
collected by month and by rep, aging, quote conversion, approval turnaround,
overdue instalments, collection rate and DSO — charts with their tables, the
same figures as ``/api/v1/sales/reports/...`` (``services.money_reports``).

Filters come from the query string through the API's schema; a value that
does not validate is dropped (the page still shows, without it). The period
defaults to the last six months up to this one; aging and overdue are
counted on ``as_of`` (default today) in ``currency`` (default the instance's).
"""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_login import current_user, login_required
from marshmallow import ValidationError as SchemaError
from sqlalchemy import select

from core.api import Team, db, first_of_next_month, instance_currency, require, utcnow

from ..schemas.money_reports import MoneyPageArgs
from ..services import money_reports as reports
from ..services.targets import visible_team_ids
from .blueprint import bp

FILTERS = ("start", "end", "team_id", "as_of", "currency")
MONTHS = 6  # the default period: this month and the five before


def page_filters() -> dict:
    """The valid filters of the query string (invalid ones left out)."""
    raw = {k: v for k in FILTERS if (v := request.args.get(k, "").strip())}
    try:
        return MoneyPageArgs().load(raw)
    except SchemaError as exc:
        good = {k: v for k, v in raw.items() if k not in exc.messages}
        try:
            return MoneyPageArgs().load(good)
        except SchemaError:
            return {}


def default_start(today: date) -> date:
    """The first day of the month ``MONTHS - 1`` months before ``today``'s."""
    month = today.year * 12 + today.month - 1 - (MONTHS - 1)
    return date(month // 12, month % 12 + 1, 1)


@bp.route("/reports/money", endpoint="money_report")
@login_required
def money_report():
    """Contracted vs collected, aging, quote conversion, approval turnaround, overdue."""
    require("sales.report.read")
    args = page_filters()
    today = utcnow().date()
    start = args.get("start") or default_start(today)
    end = args.get("end") or first_of_next_month(today if start <= today else start)
    if end <= start:
        end = first_of_next_month(start)
    as_of = args.get("as_of") or today
    currency = args.get("currency") or instance_currency()
    team = args.get("team_id")
    by_month, by_owner = reports.by_month_and_owner(current_user, start, end, team)
    teams = db.session.scalars(
        select(Team).where(Team.id.in_(visible_team_ids(current_user))).order_by(Team.name)
    ).all()
    return render_template(
        "sales/money_reports.html",
        start=start,
        end=end,
        as_of=as_of,
        currency=currency,
        team_id=team,
        teams=teams,
        by_month=by_month,
        by_owner=by_owner,
        aging=reports.aging(current_user, as_of, currency, team),
        buckets=reports.BUCKET_KEYS,
        quotes=reports.quote_conversion(current_user, start, end, team),
        turnaround=reports.approval_turnaround(current_user, start, end),
        overdue=reports.overdue(current_user, as_of, team),
        rates=reports.collection_rate(current_user, start, end, team),
        dso=reports.dso(current_user, as_of, 90, team),
    )
