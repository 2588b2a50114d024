"""The reports page ``/sales/reports``: funnel, forecast, lost reasons, the
open pipeline by owner and team, and the account-manager KPIs — as charts
and tables, the same figures as ``/api/v1/sales/reports/...``.

Filters come from the query string through the API's own schema; a value
that does not validate is dropped (the page still shows, unfiltered by it).
"""

from __future__ import annotations

import json

from flask import render_template, request
from flask_login import current_user, login_required
from marshmallow import ValidationError as SchemaError
from sqlalchemy import select

from core.api import Team, User, db, require, scoped, translator

from ..services import kpis as kpi_service
from ..services import pipelines as pipeline_service
from ..services import reports
from ..services.leads import SOURCE_LABELS
from .blueprint import bp

_, _l = translator("sales")
FILTERS = ("start", "end", "team_id", "owner_id", "source")


def report_filters() -> dict:
    """The valid filters of the query string (invalid ones left out)."""
    raw = {k: v for k in FILTERS if (v := request.args.get(k, "").strip())}
    try:
        return kpi_service.KpiArgs().load(raw)
    except SchemaError as exc:
        good = {k: v for k, v in raw.items() if k not in exc.messages}
        return kpi_service.KpiArgs().load(good if len(good) < len(raw) else {})


def chart(labels: list, values: list, label: str) -> str:
    """The ``data-chart-data`` of a bar chart (drawn by core's trellis.js)."""
    return json.dumps({"labels": labels, "values": values, "label": label}, ensure_ascii=False)


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
    charts = {
        "forecast": chart(
            [m["month"] + " " + m["currency"] for m in months],
            [float(m["weighted_amount"]) for m in months],
            str(_("Weighted forecast")),
        )
    }
    if funnel:
        charts["funnel"] = chart(
            [s["name"] for s in funnel["stages"]],
            [s["reached"] for s in funnel["stages"]],
            str(_("Deals that reached the stage")),
        )
        charts["lost"] = chart(
            [r["reason"] or str(_("No reason given")) for r in funnel["lost_reasons"]],
            [r["deals"] for r in funnel["lost_reasons"]],
            str(_("Lost deals")),
        )
        charts["owners"] = chart(
            [f"{r['name']} {r['currency']}" for r in funnel["by_owner"]],
            [float(r["weighted_amount"]) for r in funnel["by_owner"]],
            str(_("Weighted pipeline")),
        )
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
        charts=charts,
        people=people,
        teams=db.session.scalars(select(Team).order_by(Team.name)).all(),
        sources=SOURCE_LABELS,
    )
