"""``/marketing/rfm`` and ``/marketing/churn``: the RFM page (the segments'
grid with counts, movement between two runs, the run log with "run now"),
a segment's customers, the valuable customers at risk by account manager,
and the RFM tab of a customer's page. They read what the API reads
(:mod:`..services.rfm.reads`), through the same scoped queries."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import (
    ConflictError,
    Customer,
    NotFoundError,
    User,
    ValidationError,
    db,
    instance_currency,
    list_page,
    require,
    translator,
    visible_customer,
)

from ..models import RfmScore, Segment
from ..schemas.rfm import CHURN_HIGH, rfm_settings
from ..services import churn, rfm, segments
from ..services.rfm import reads
from ..services.rfm.grid import ADVICE, SEGMENTS, grid_rows, segment_label
from .blueprint import bp

_, _l = translator("marketing")

PER_PAGE = 50
STATUS = {
    "queued": _l("Queued"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
}


def _segment_filter() -> tuple[list, int | None, object]:
    """The marketing segments to narrow the figures to, the one chosen and its members."""
    choices = db.session.scalars(
        segments.visible_segments(current_user).order_by(Segment.name)
    ).all()
    chosen = request.args.get("segment_id", type=int)
    members = None
    if chosen:
        try:
            found = segments.visible_segment(chosen, current_user)
            members = segments.members_query(found, current_user).with_only_columns(Customer.id)
        except (NotFoundError, ValidationError):
            chosen = None
    return [(s.id, s.name) for s in choices], chosen, members


@bp.route("/rfm")
@login_required
def rfm_page():
    require("marketing.segment.read")
    run = reads.latest_run()
    options, chosen, members = _segment_filter()
    counts = reads.segment_counts(run, current_user, members)
    kept = reads.kept_runs()
    to_id = request.args.get("to_run", type=int) or (kept[0].id if kept else None)
    from_id = request.args.get("from_run", type=int) or (kept[1].id if len(kept) > 1 else None)
    moves, codes = None, [*SEGMENTS, "none"]
    if from_id and to_id:
        try:
            moves = reads.movement(reads.kept_run(from_id), reads.kept_run(to_id), current_user)
        except NotFoundError:
            moves = None
    return render_template(
        "marketing/rfm.html",
        run=run,
        counts=counts,
        total=sum(counts.values()),
        grid=grid_rows(),
        labels={code: segment_label(code) for code in SEGMENTS} | {"none": _("Not scored")},
        advice=ADVICE,
        segment_options=options,
        segment_id=chosen,
        kept=kept,
        kept_options=[(r.id, format_date(r.as_of - timedelta(seconds=1))) for r in kept],
        from_id=from_id,
        to_id=to_id,
        moves=moves,
        codes=codes,
        runs=reads.runs(),
        active=rfm.active_run(),
        status=STATUS,
        may_run=current_user.can("marketing.analysis.run"),
    )


@bp.route("/rfm/runs/log")
@login_required
def rfm_run_log():
    """The run log alone: the page reloads it while a run is under way (a
    browser asking for it outside the page goes to the page)."""
    require("marketing.segment.read")
    if not request.headers.get("HX-Request"):
        return redirect(url_for(".rfm_page", _anchor="rfm-runs"))
    return render_template(
        "marketing/rfm_runs.html", runs=reads.runs(), active=rfm.active_run(), status=STATUS
    )


@bp.route("/rfm/runs", methods=["POST"])
@login_required
def rfm_run_now():
    require("marketing.analysis.run")
    try:
        run = rfm.start_run(current_user)
    except ConflictError as exc:
        flash(str(exc), "error")
    else:
        if run.status == "failed":
            flash(_("The RFM run failed: %(error)s", error=run.error or ""), "error")
        elif run.status == "done":
            flash(_("RFM scores computed for %(count)s customers.", count=run.customers), "success")
        else:
            flash(_("The RFM run has started; its progress shows in the run log."), "success")
    return redirect(url_for(".rfm_page"))


@bp.route("/rfm/customers")
@login_required
def rfm_customers():
    """The customers of one RFM segment (``rfm_segment``) the user may see."""
    require("marketing.segment.read")
    require("customer.read")
    wanted = request.args.get("rfm_segment", "")
    if wanted not in SEGMENTS:
        abort(404)
    run, page = reads.latest_run(), list_page()
    rows = []
    if run is not None:
        query = reads.scored(run, current_user).where(RfmScore.segment == wanted)
        query = query.order_by(RfmScore.monetary.desc(), RfmScore.customer_id)
        found = db.session.scalars(
            reads.with_customers(query).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
        ).all()
        rows = [churn.customer_row(s) for s in found]
    return render_template(
        "marketing/rfm_customers.html",
        segment=wanted,
        label=segment_label(wanted),
        advice=ADVICE[wanted],
        rows=rows[:PER_PAGE],
        more=len(rows) > PER_PAGE,
        page=page,
        currency=instance_currency(),
    )


@bp.route("/churn")
@login_required
def churn_page():
    """The valuable customers at risk, grouped by account manager."""
    require("marketing.segment.read")
    require("customer.read")
    run, page = reads.latest_run(), list_page()
    owner_id = request.args.get("owner_id", type=int)
    rows = []
    if run is not None:
        query = churn.at_risk_query(run, current_user, CHURN_HIGH, owner_id)
        found = db.session.scalars(
            reads.with_customers(query).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
        ).all()
        rows = [churn.customer_row(s) for s in found]
    groups = [
        (name, list(items))
        for name, items in groupby(rows[:PER_PAGE], key=lambda row: row["owner_name"])
    ]
    owners = []  # the account managers of the customers at risk the user sees, to pick one
    if run is not None:
        theirs = churn.at_risk_query(run, current_user, CHURN_HIGH).with_only_columns(
            Customer.owner_id
        )
        owners = db.session.execute(
            select(User.id, User.name).where(User.id.in_(theirs.order_by(None))).order_by(User.name)
        ).all()
    return render_template(
        "marketing/churn.html",
        run=run,
        groups=groups,
        more=len(rows) > PER_PAGE,
        page=page,
        owner_id=owner_id,
        owners=[tuple(o) for o in owners],
        min_score=CHURN_HIGH,
        currency=instance_currency(),
    )


@bp.route("/customers/<int:customer_id>/rfm")
@login_required
def customer_rfm(customer_id: int):
    """The RFM tab of a customer's page: scores, segment, churn risk in words."""
    require("marketing.segment.read")
    customer = visible_customer(customer_id, current_user)
    score = reads.customer_score(customer.id)
    return render_template(
        "marketing/rfm_tab.html",
        score=score,
        label=segment_label(score.segment) if score else "",
        advice=ADVICE.get(score.segment, "") if score else "",
        reasons=churn.reasons(score, rfm_settings()["no_contact_days"]) if score else [],
        currency=instance_currency(),
    )
