"""Web pages under ``/sales``: deals (list, board, page, forms), the customer
page's Deals tab and the dashboard widgets (the reports page: ``reports``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.api import (
    ConflictError,
    Customer,
    StaleVersionError,
    User,
    ValidationError,
    db,
    form_payload,
    form_version,
    instance_currency,
    list_page,
    list_sort,
    require,
    text_contains,
    translator,
    utcnow,
    visible_customer,
)

from ..models import Deal, Pipeline, Stage
from ..services import approvals as approval_service
from ..services import deals as deal_service
from ..services import pipelines as pipeline_service
from ..services import reports
from ..services.access import (
    search_deals,
    visible_customers,
    visible_deal,
    visible_deals,
    visible_user_ids,
)
from .blueprint import bp

_, _l = translator("sales")
BOARD_CARDS = 50  # per column; the count says how many more
CHOICES = 20  # customers found when a new deal starts without one
LIST_SIZE = 50  # deals on a page of the list
#: the deals list's sortable columns (the API's keys, so the export sorts alike)
DEAL_SORTS = {"title": Deal.title, "amount": Deal.amount, "expected_close": Deal.expected_close}
FIELDS = ("title", "amount", "currency", "expected_close", "contact_id", "owner_id")
#: a deal's latest approval request, as its page shows it
APPROVAL_LABELS = {
    "pending": _l("Waiting for approval"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
APPROVAL_TONES = {"pending": "warn", "approved": "ok", "rejected": "bad", "withdrawn": "info"}


def chosen_pipeline() -> Pipeline | None:
    wanted = request.args.get("pipeline_id", type=int)
    pipelines = pipeline_service.pipelines()
    return next((p for p in pipelines if p.id == wanted), pipelines[0] if pipelines else None)


@bp.route("/deals")
@login_required
def deals():
    """The deals the signed-in user may see, newest change first (or sorted
    by a column: ``sort``, ``-`` for descending), 50 a page: open, won, lost
    or all; found by title or customer name; narrowed by pipeline and owner."""
    require("sales.deal.read")
    outcome = request.args.get("outcome", "open")
    outcome = outcome if outcome in ("open", "won", "lost", "all") else "open"
    pipelines = pipeline_service.pipelines()
    owners = db.session.scalars(
        select(User).where(User.id.in_(visible_user_ids(current_user))).order_by(User.name)
    ).all()
    args = {
        "q": request.args.get("q", "").strip()[:100],
        "pipeline_id": next(
            (p.id for p in pipelines if p.id == request.args.get("pipeline_id", type=int)), None
        ),
        "owner_id": next(
            (u.id for u in owners if u.id == request.args.get("owner_id", type=int)), None
        ),
    }
    page = list_page()
    sort, order = list_sort(DEAL_SORTS, (Deal.updated_at.desc(), Deal.id.desc()), Deal.id.desc())
    query = search_deals(current_user, {**args, "outcome": None if outcome == "all" else outcome})
    # one row more than a page says whether there is a next one, without
    # counting every visible deal
    rows = (
        db.session.scalars(
            query.options(joinedload(Deal.customer), joinedload(Deal.stage), joinedload(Deal.owner))
            .order_by(*order)
            .offset((page - 1) * LIST_SIZE)
            .limit(LIST_SIZE + 1)
        )
        .unique()
        .all()
    )
    filters = {k: v for k, v in args.items() if v}
    return render_template(
        "sales/deals.html",
        deals=rows[:LIST_SIZE],
        outcome=outcome,
        args=args,
        filters=filters,
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
        export_args={
            **filters,
            **({} if outcome == "all" else {"outcome": outcome}),
            **({"sort": sort} if sort else {}),
        },
        pipelines=pipelines,
        owners=owners,
    )


@bp.route("/board")
@login_required
def board():
    """看板: a column per stage; drag a card, or pick its next stage (keyboard)."""
    require("sales.deal.read")
    pipeline = chosen_pipeline()
    stages = pipeline.stages if pipeline is not None else []
    # each column's count and worth by currency, for all columns in one query
    sums: dict[int, list] = {stage.id: [] for stage in stages}
    counts: dict[int, int] = dict.fromkeys(sums, 0)
    grouped = visible_deals(
        current_user, select(Deal.stage_id, Deal.currency, func.count(), func.sum(Deal.amount))
    ).where(Deal.stage_id.in_(list(sums)))
    for stage_id, currency, count, amount in db.session.execute(
        grouped.group_by(Deal.stage_id, Deal.currency).order_by(Deal.currency)
    ):
        sums[stage_id].append((currency, amount))
        counts[stage_id] += count
    columns = []
    for stage in stages:
        cards = db.session.scalars(
            visible_deals(current_user)
            .where(Deal.stage_id == stage.id)
            .options(joinedload(Deal.customer))
            .order_by(Deal.expected_close, Deal.id)
            .limit(BOARD_CARDS)
        ).all()
        columns.append(
            {
                "stage": stage,
                "deals": cards,
                "more": counts[stage.id] - len(cards),
                "totals": sums[stage.id],
            }
        )
    return render_template(
        "sales/board.html",
        pipeline=pipeline,
        columns=columns,
        pipelines=pipeline_service.pipelines(),
    )


def render_form(deal, customer, values, errors, status=200):
    pipelines = pipeline_service.pipelines()
    return render_template(
        "sales/deal_form.html",
        deal=deal,
        customer=customer,
        values=values,
        errors=errors,
        pipelines=pipelines,
        contacts=[c for c in customer.contacts if c.deleted_at is None],
    ), status


@bp.route("/deals/new", methods=["GET", "POST"])
@login_required
def new_deal():
    require("sales.deal.write")
    if "customer_id" not in request.args:  # from the board or the list: whose deal first
        return choose_customer()
    customer = visible_customer(request.args.get("customer_id", 0, type=int), current_user)
    if request.method == "GET":
        chosen = {"pipeline_id": request.args.get("pipeline_id", type=int)}
        return render_form(None, customer, {"currency": instance_currency(), **chosen}, {})
    data = form_payload(deal_service.DealInput(), only=FIELDS + ("pipeline_id", "stage_id"))
    try:
        deal = deal_service.create_deal({**data, "customer_id": customer.id}, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return render_form(None, customer, data, exc.errors, 422)
    flash(_("Deal %(title)s created.", title=deal.title), "success")
    return redirect(url_for(".deal", deal_id=deal.id))


def choose_customer():
    """The first step of a new deal begun away from a customer's page: find
    the customer (among those the user may see) by name."""
    words = request.args.get("q", "").strip()[:100]
    found = []
    if words:
        found = db.session.scalars(
            select(Customer)
            .where(Customer.id.in_(visible_customers(current_user)))
            .where(text_contains(Customer.name, words))
            .order_by(Customer.name)
            .limit(CHOICES)
        ).all()
    return render_template(
        "sales/deal_customer.html",
        words=words,
        found=found,
        pipeline_id=request.args.get("pipeline_id", type=int),
    )


@bp.route("/deals/<int:deal_id>/edit", methods=["GET", "POST"])
@login_required
def edit_deal(deal_id: int):
    require("sales.deal.write")
    deal = visible_deal(deal_id, current_user)
    if request.method == "GET":
        values = {k: getattr(deal, k) for k in FIELDS} | {"version": deal.version}
        return render_form(deal, deal.customer, values, {})
    data = form_payload(deal_service.DealChange(), only=FIELDS)
    read = form_version()
    try:
        deal_service.update_deal(deal, data, current_user, read)
    except ValidationError as exc:
        db.session.rollback()
        return render_form(deal, deal.customer, data | {"version": read}, exc.errors, 422)
    except ConflictError as exc:  # waiting for approval: the input is kept, nothing saved
        db.session.rollback()
        flash(str(exc), "error")
        return render_form(deal, deal.customer, data | {"version": read}, {}, 409)
    except StaleVersionError:
        db.session.rollback()
        flash(
            _(
                "Someone else changed this deal while you were editing. Your input is kept "
                "below; check the deal's page and save again."
            ),
            "error",
        )
        return render_form(deal, deal.customer, data | {"version": deal.version}, {}, 409)
    flash(_("Saved."), "success")
    return redirect(url_for(".deal", deal_id=deal.id))


@bp.route("/deals/<int:deal_id>")
@login_required
def deal(deal_id: int):
    """A deal, its lines and history; its latest approval, and while that
    waits no forms that would change the deal."""
    require("sales.deal.read")
    found = visible_deal(deal_id, current_user)
    approval = approval_service.latest_request(found)
    return render_template(
        "sales/deal.html",
        deal=found,
        approval=approval,
        locked=approval is not None and approval.status == "pending",
        approval_labels=APPROVAL_LABELS,
        approval_tones=APPROVAL_TONES,
    )


@bp.route("/deals/<int:deal_id>/approval", methods=["POST"])
@login_required
def submit_approval(deal_id: int):
    """Submit the deal for approval: it waits, locked, when a flow applies;
    else it is approved at once."""
    require("sales.deal.write")
    found = visible_deal(deal_id, current_user)
    try:
        submitted = approval_service.submit_deal(found, current_user)
    except ValidationError as exc:  # waiting already, or a step nobody can approve
        db.session.rollback()
        flash(exc.summary, "error")
    else:
        if submitted.status == "approved":
            flash(_("No approval needed: %(title)s is approved.", title=found.title), "success")
        else:
            flash(_("%(title)s is waiting for approval.", title=found.title), "success")
    return redirect(url_for(".deal", deal_id=found.id))


@bp.route("/deals/<int:deal_id>/stage", methods=["POST"])
@login_required
def move(deal_id: int):
    """Move a deal (from its page, or a board card by drag and drop or keyboard)."""
    require("sales.deal.write")
    deal = visible_deal(deal_id, current_user)
    back = request.form.get("back") == "board"
    try:
        deal_service.move_stage(
            deal,
            request.form.get("stage_id", type=int),
            current_user,
            form_version(),
            request.form.get("lost_reason"),
        )
        flash(
            _("%(title)s is now in %(stage)s.", title=deal.title, stage=deal.stage.name), "success"
        )
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
    except StaleVersionError:
        db.session.rollback()
        flash(
            _("Someone else moved or changed this deal meanwhile; look again and retry."), "error"
        )
    except ConflictError as exc:  # waiting for approval
        db.session.rollback()
        flash(str(exc), "error")
    if back:
        return redirect(url_for(".board", pipeline_id=deal.pipeline_id))
    return redirect(url_for(".deal", deal_id=deal.id))


@bp.route("/customers/<int:customer_id>/deals")
@login_required
def customer_deals(customer_id: int):
    """The Deals tab of a customer's page."""
    require("sales.deal.read")
    customer_id = visible_customer(customer_id, current_user).id
    rows = db.session.scalars(
        visible_deals(current_user)
        .where(Deal.customer_id == customer_id)
        .options(joinedload(Deal.stage))
        .order_by(Deal.updated_at.desc())
    ).all()
    return render_template("sales/_customer_deals.html", deals=rows, customer_id=customer_id)


@bp.route("/widgets/pipeline")
@login_required
def widget_pipeline():
    """Dashboard: my open deals by stage."""
    require("sales.deal.read")
    rows = db.session.execute(
        visible_deals(
            current_user, select(Stage.name, Deal.currency, func.count(), func.sum(Deal.amount))
        )
        .join(Stage, Stage.id == Deal.stage_id)
        .where(Deal.owner_id == current_user.id, Stage.outcome == "open")
        .group_by(Stage.pipeline_id, Stage.position, Stage.name, Deal.currency)
        .order_by(Stage.pipeline_id, Stage.position)
    ).all()
    return render_template("sales/_widget_pipeline.html", rows=rows)


@bp.route("/widgets/forecast")
@login_required
def widget_forecast():
    """Dashboard: this month's weighted forecast of the deals I may see."""
    require("sales.report.read")
    today = utcnow().astimezone(get_timezone()).date()
    month = f"{today.year:04d}-{today.month:02d}"
    rows = [m for m in reports.forecast(current_user, {}) if m["month"] == month]
    return render_template("sales/_widget_forecast.html", rows=rows, month=month)
