"""The service reports page ``/service/reports`` (cards, charts with their
table views drawn by core's ``core/_charts.html``, and the overdue / at-risk
table — the figures of ``/api/v1/service/reports/sla``),
the "SLA at risk" dashboard widget, and the revisit form of an order's page.

Report filters come from the query string through the API's own schema; a
value that does not validate is dropped (the page still shows without it).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError as SchemaError
from sqlalchemy import select

from core.api import (
    ConflictError,
    StaleVersionError,
    Team,
    ValidationError,
    db,
    form_version,
    require,
    translator,
    utcnow,
)

from ..models import PRIORITIES
from ..services import dispatch, reports, revisits
from ..services.access import visible_order
from .blueprint import bp
from .orders import render_order

_, _l = translator("service_dispatch")
FILTERS = ("from", "to", "engineer_id", "team_id", "category", "priority", "risk_hours")
WIDGET_SIZE = 5


def report_filters() -> dict:
    """The valid filters of the query string (invalid ones left out)."""
    raw = {k: v for k in FILTERS if (v := request.args.get(k, "").strip())}
    try:
        return reports.ReportArgs().load(raw)
    except SchemaError as exc:
        good = {k: v for k, v in raw.items() if k not in exc.messages}
        return reports.ReportArgs().load(good if len(good) < len(raw) else {})


@bp.app_context_processor
def revisit_helpers():
    """Templates: an order's revisit, its outcome's label, its SLA state."""
    return {
        "wo_revisit": revisits.revisit_of,
        "wo_outcome": lambda o: revisits.OUTCOME_LABELS.get(o, o),
        "wo_sla": lambda o: reports.sla_state(o, utcnow()),
    }


@bp.route("/reports")
@login_required
def reports_page():
    """SLA compliance, first-time fix, mean times, utilisation, repeat
    visits, satisfaction, and the overdue and at-risk orders."""
    require("service.report.read")
    args = report_filters()
    figures = reports.sla_report(current_user, args)
    engineers = sorted(
        ((e.user_id, e.user.name) for e in dispatch.engineers(active_only=False)),
        key=lambda e: e[1],
    )
    return render_template(
        "service_dispatch/reports.html",
        r=figures,
        args=args,
        engineers=engineers,
        priorities=PRIORITIES,
        teams=db.session.scalars(select(Team).order_by(Team.name)).all(),
    )


@bp.route("/widgets/sla-risk")
@login_required
def widget_sla_risk():
    """Dashboard: how many open orders are overdue or about to breach, and the first few."""
    require("service.order.read")
    watch = reports.watchlist(current_user, {}, utcnow())
    rows = (watch["overdue"] + watch["at_risk"])[:WIDGET_SIZE]
    return render_template("service_dispatch/_widget_sla_risk.html", watch=watch, rows=rows)


@bp.route("/work-orders/<int:order_id>/revisit", methods=["POST"])
@login_required
def revisit(order_id: int):
    """The revisit form of an order's page: the customer's score and comment."""
    require("service.order.write")
    order = visible_order(order_id, current_user)
    score, comment = request.form.get("score", ""), request.form.get("comment", "")
    # "²" is a digit to Python but not to int(): only plain short numbers are numbers
    number = int(score) if score.isascii() and score.isdigit() and len(score) < 4 else score
    try:
        done = revisits.record_revisit(order, number, comment, current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        return render_order(order, exc.errors, {"score": score, "comment": comment}, "revisit", 422)
    except ConflictError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".order_page", order_id=order.id))
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this work order meanwhile; look again and retry."), "error")
        return redirect(url_for(".order_page", order_id=order.id))
    flash(
        _(
            "Revisit saved: %(score)d of 5 (%(outcome)s).",
            score=done.score,
            outcome=revisits.OUTCOME_LABELS[done.outcome],
        ),
        "success",
    )
    return redirect(url_for(".order_page", order_id=order.id))
