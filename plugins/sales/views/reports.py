"""The reports page ``/sales/reports``: funnel, forecast, lost reasons, the
open pipeline by owner and team, and the account-manager KPIs — as charts
and tables, the same figures as ``/api/v1/sales/reports/...``. The page
draws them with core's ``core/_charts.html`` from the figures below.

Filters come from the query string through the API's own schema; a value
that does not validate is dropped (the page still shows, unfiltered by it).
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required
from marshmallow import ValidationError as SchemaError
from sqlalchemy import select

from core.api import Team, User, db, require, scoped

from ..services import kpis as kpi_service
from ..services import pipelines as pipeline_service
from ..services import reports
from ..services.leads import SOURCE_LABELS
from .blueprint import bp

FILTERS = ("start", "end", "team_id", "owner_id", "source")


def report_filters() -> dict:
    """The valid filters of the query string (invalid ones left out)."""
    raw = {k: v for k in FILTERS if (v := request.args.get(k, "").strip())}
    try:
        return kpi_service.KpiArgs().load(raw)
    except SchemaError as exc:
        good = {k: v for k, v in raw.items() if k not in exc.messages}
        return kpi_service.KpiArgs().load(good if len(good) < len(raw) else {})


@bp.route("/reports")
@login_required
def report():
    """Funnel, forecast, lost reasons, pipeline by owner and team, KPIs."""
    require("sales.report.read")
    pipelines = pipeline_service.pipelines()
    wanted = request.args.get("pipeline_id", type=int)
    pipeline = next((p for p in pipelines if p.id == wanted), pipelines[0] if pipelines else None)
    args = report_filters()
    funnel = reports.funnel(current_user, pipeline, args) if pipeline else None
    scope = {**args, **({"pipeline_id": pipeline.id} if pipeline else {})}
    months = reports.forecast(current_user, scope)
    kpis = kpi_service.kpis(current_user, scope)
    people = db.session.scalars(
        scoped(select(User), User, current_user, owner_attr="id", team_attr="team_id").order_by(
            User.name
        )
    ).all()
    return render_template(
        "sales/reports.html",
        pipeline=pipeline,
        pipelines=pipelines,
        funnel=funnel,
        months=months,
        kpis=kpis,
        args=args,
        people=people,
        teams=db.session.scalars(select(Team).order_by(Team.name)).all(),
        sources=SOURCE_LABELS,
    )
