"""Pages under ``/service``: the work order list, the dispatcher's board, an
order's page with the actions its state allows, the new-order form and the
customer page's Work orders tab (the engineer's phone view: ``views.field``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.api import (
    ConflictError,
    IllegalTransition,
    StaleVersionError,
    ValidationError,
    db,
    form_datetime,
    form_payload,
    form_version,
    list_page,
    list_sort,
    require,
    translator,
    utcnow,
    visible_customer,
)

from ..models import PRIORITIES, STATUSES, TO_DISPATCH, WorkOrder
from ..services import dispatch, lifecycle, orders, reports, stock
from ..services.access import search_orders, visible_order, visible_orders
from ..services.orders import URGENCY
from .blueprint import bp

_, _l = translator("service_dispatch")
#: cards per board page, and engineers offered in each card's assign form
#: (every engineer is offered on the order's own page)
BOARD_SIZE = 20
#: work orders on a page of the list
LIST_SIZE = 50
BOARD_CHOICES = 10
PRIORITY_LABELS = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}
#: urgent first on every list
#: the work orders list's sortable columns (priority by urgency: urgent first)
ORDER_SORTS = {"number": WorkOrder.number, "status": WorkOrder.status, "priority": URGENCY}
FIELDS = (
    "title",
    "contact_id",
    "priority",
    "category",
    "description",
    "address",
    "product",
    "serial_number",
    "appointment_at",
)
BACK = {"board": ".board", "my_jobs": ".my_jobs"}
#: a work order's status as a badge of core's palette (the grey default: closed, cancelled)
STATE_TONES = {
    "new": "info",
    "assigned": "info",
    "accepted": "warn",
    "on_the_way": "warn",
    "on_site": "warn",
    "completed": "ok",
    "declined": "bad",
    "reopened": "bad",
}


@bp.app_context_processor
def labels():
    return {
        "format_time": format_time,
        "wo_overdue": lambda o: is_overdue(o, utcnow()),
        "wo_state": lambda s: lifecycle.STATE_LABELS.get(s, s),
        "wo_tone": lambda s: STATE_TONES.get(s, ""),
        "wo_action": lambda a: lifecycle.ACTION_LABELS.get(a, a),
        "wo_priority": lambda p: PRIORITY_LABELS.get(p, p),
        "wo_editable": lambda o: o.status not in orders.FROZEN,
    }


def is_overdue(order: WorkOrder, now) -> bool:
    """Past its respond-by time, or its appointment, and nobody on site yet;
    or past its resolve-by time and not completed (``reports.sla_state``)."""
    due = [t for t in (order.respond_by, order.appointment_at) if t is not None]
    late = bool(due) and min(due) < now and order.status in (*TO_DISPATCH, "assigned", "accepted")
    return late or reports.sla_state(order, now) == "overdue"


@bp.route("/work-orders")
@login_required
def work_orders():
    """Work orders the user may see (an engineer their own, a manager their
    team's), newest change first (or sorted by a column: ``sort``, ``-`` for
    descending), 50 a page: found by number, title or customer name, narrowed
    by status, priority and engineer."""
    require("service.order.read")
    args = {
        "q": request.args.get("q", "").strip()[:100],
        "status": request.args.get("status", "") if request.args.get("status") in STATUSES else "",
        "priority": request.args.get("priority", "")
        if request.args.get("priority") in PRIORITIES
        else "",
        "engineer_id": request.args.get("engineer_id", 0, type=int),
    }
    page = list_page()
    sort, order = list_sort(
        ORDER_SORTS, (WorkOrder.updated_at.desc(), WorkOrder.id.desc()), WorkOrder.id.desc()
    )
    query = search_orders(current_user, args).options(
        joinedload(WorkOrder.customer), joinedload(WorkOrder.engineer)
    )
    # one row more than a page says whether there is a next one, without
    # counting every visible order
    rows = (
        db.session.scalars(
            query.order_by(*order).offset((page - 1) * LIST_SIZE).limit(LIST_SIZE + 1)
        )
        .unique()
        .all()
    )
    engineers = dispatch.engineers() if current_user.can("service.dispatch") else []
    return render_template(
        "service_dispatch/work_orders.html",
        orders=rows[:LIST_SIZE],
        args=args,
        filters={k: v for k, v in args.items() if v},
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
        statuses=STATUSES,
        priorities=PRIORITIES,
        engineers=engineers,
    )


@bp.route("/board")
@login_required
def board():
    """派工: orders waiting for an engineer (new, declined, reopened), urgent
    and overdue first, a page at a time, each with its best-ranked engineers
    and an assign form."""
    require("service.dispatch")
    waiting = visible_orders(current_user).where(WorkOrder.status.in_(TO_DISPATCH))
    total = db.session.scalar(waiting.with_only_columns(func.count()).order_by(None))
    pages = max(1, -(-total // BOARD_SIZE))
    page = list_page(pages)
    rows = db.session.scalars(
        waiting.options(joinedload(WorkOrder.customer))
        .order_by(
            URGENCY,
            WorkOrder.respond_by.is_(None),
            WorkOrder.respond_by,
            WorkOrder.created_at,
            WorkOrder.id,
        )
        .offset((page - 1) * BOARD_SIZE)
        .limit(BOARD_SIZE)
    ).all()
    pool = dispatch.engineers(active_only=True)
    loads = dispatch.workloads([e.user_id for e in pool])
    now = utcnow()
    cards = [
        {
            "order": o,
            "overdue": is_overdue(o, now),
            "suggestions": dispatch.suggested_engineers(o, BOARD_CHOICES, pool, loads),
        }
        for o in rows
    ]
    return render_template(
        "service_dispatch/board.html",
        cards=cards,
        total=total,
        page=page,
        pages=pages,
        first=(page - 1) * BOARD_SIZE + 1,
    )


@bp.route("/work-orders/<int:order_id>")
@login_required
def order_page(order_id: int):
    require("service.order.read")
    return render_order(visible_order(order_id, current_user))


def render_order(
    order: WorkOrder,
    errors: dict | None = None,
    values: dict | None = None,
    failed: str | None = None,
    status: int = 200,
):
    actions = lifecycle.actions_for(current_user, order)
    suggestions = dispatch.suggested_engineers(order, 50) if "assign" in actions else []
    return render_template(
        "service_dispatch/order.html",
        order=order,
        actions=actions,
        suggestions=suggestions,
        errors=errors or {},
        values=values or {},
        failed=failed,
        overdue=is_overdue(order, utcnow()),
    ), status


def action_payload(action: str) -> dict:
    """The posted fields the action's schema knows (the web and the API share it)."""
    schema = lifecycle.SCHEMAS.get(action, lifecycle.NoteInput)()
    data = form_payload(schema)
    if action == "assign" and "appointment_at" in data:
        data["appointment_at"] = form_datetime(data["appointment_at"])
    if action == "complete":
        data["parts"] = stock.form_lines(request.form)
    return data


@bp.route("/work-orders/<int:order_id>/transition", methods=["POST"])
@login_required
def take_action(order_id: int):
    """One action from the order's page, the board or My jobs."""
    require("service.order.read")
    order = visible_order(order_id, current_user)
    action = request.form.get("action", "")
    back = BACK.get(request.form.get("back", ""))
    target = url_for(back) if back else url_for(".order_page", order_id=order.id)
    if action not in lifecycle.ACTIONS:
        flash(_("Unknown action."), "error")
        return redirect(target)
    data = action_payload(action)
    try:
        lifecycle.transition(order, action, current_user, data, form_version())
    except ValidationError as exc:
        db.session.rollback()
        if back:
            flash(exc.summary, "error")
            return redirect(target)
        return render_order(order, exc.errors, data, action, 422)
    except IllegalTransition as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(target)
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this work order meanwhile; look again and retry."), "error")
        return redirect(target)
    flash(
        _(
            "%(number)s is now %(state)s.",
            number=order.number,
            state=lifecycle.STATE_LABELS[order.status],
        ),
        "success",
    )
    return redirect(target)


def render_form(
    customer, values: dict, errors: dict, status: int = 200, order: WorkOrder | None = None
):
    """The form that opens an order, or (``order``) changes one."""
    contacts = [c for c in customer.contacts if c.deleted_at is None]
    return render_template(
        "service_dispatch/order_form.html",
        customer=customer,
        values=values,
        errors=errors,
        contacts=contacts,
        priorities=PRIORITIES,
        order=order,
    ), status


@bp.route("/work-orders/<int:order_id>/edit", methods=["GET", "POST"])
@login_required
def edit_order(order_id: int):
    """Correct an open order: title, contact, priority, category, product,
    serial number, address, description."""
    require("service.order.write")
    order = visible_order(order_id, current_user)
    if request.method == "GET":
        return render_form(order.customer, {k: getattr(order, k) for k in FIELDS}, {}, order=order)
    data = form_payload(orders.WorkOrderChange())
    try:
        orders.update_work_order(order, data, current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        return render_form(order.customer, data, exc.errors, 422, order=order)
    except (StaleVersionError, ConflictError) as exc:
        db.session.rollback()
        flash(
            str(exc)
            if isinstance(exc, ConflictError)
            else _("Someone else changed this work order meanwhile; look again and retry."),
            "error",
        )
        return redirect(url_for(".order_page", order_id=order_id))
    flash(_("Work order %(number)s saved.", number=order.number), "success")
    return redirect(url_for(".order_page", order_id=order_id))


@bp.route("/work-orders/new", methods=["GET", "POST"])
@login_required
def new_order():
    """Open a work order for a customer (reached from the customer's page)."""
    require("service.order.write")
    customer = visible_customer(request.args.get("customer_id", 0, type=int), current_user)
    if request.method == "GET":
        return render_form(customer, {"priority": "normal"}, {})
    data = form_payload(orders.WorkOrderInput(), only=FIELDS)
    if "appointment_at" in data:
        data["appointment_at"] = form_datetime(data["appointment_at"])
    try:
        order = orders.create_work_order({**data, "customer_id": customer.id}, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return render_form(customer, data, exc.errors, 422)
    flash(_("Work order %(number)s opened.", number=order.number), "success")
    return redirect(url_for(".order_page", order_id=order.id))


@bp.route("/customers/<int:customer_id>/work-orders")
@login_required
def customer_orders(customer_id: int):
    """The Work orders tab of a customer's page."""
    require("service.order.read")
    customer_id = visible_customer(customer_id, current_user).id
    rows = db.session.scalars(
        visible_orders(current_user)
        .where(WorkOrder.customer_id == customer_id)
        .order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "service_dispatch/_customer_orders.html", orders=rows, customer_id=customer_id
    )


@bp.route("/widgets/open")
@login_required
def widget_open():
    """Dashboard: the open orders I may see, by state."""
    require("service.order.read")
    open_states = [s for s in STATUSES if s not in ("completed", "closed", "cancelled")]
    rows = db.session.execute(
        visible_orders(current_user, select(WorkOrder.status, func.count()))
        .where(WorkOrder.status.in_(open_states))
        .group_by(WorkOrder.status)
    ).all()
    counts = dict(rows)
    return render_template(
        "service_dispatch/_widget_open.html",
        rows=[(s, counts[s]) for s in open_states if counts.get(s)],
    )
