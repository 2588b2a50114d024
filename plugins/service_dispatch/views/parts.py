"""``/service/parts``: spare parts (备件) and their stock per warehouse and
van, low stock marked, with forms to add a part, receive, move and count
stock; and what the completion form and the engineer's phone view need
(the part choices with what lies in the van, the parts an order used)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    StaleVersionError,
    ValidationError,
    db,
    form_payload,
    list_page,
    list_sort,
    translator,
)

from ..models import Part, Stock, StockLocation, WorkOrder
from ..services import dispatch, parts, stock
from .blueprint import bp

_, _l = translator("service_dispatch")
LIST_SIZE = 50  # parts on a page of the stock table
#: the stock table's sortable columns (the API's keys)
PART_SORTS = {"sku": Part.sku, "name": Part.name, "price": Part.price}
#: the page's forms: what each posts, who may post it, what it says when done
FORMS = {
    "part": (parts.PartInput, ("service.admin",), parts.create_part, _l("Part added.")),
    "receive": (stock.ReceiveInput, ("service.admin",), stock.receive, _l("Stock received.")),
    "transfer": (
        stock.StockTransferInput,
        ("service.admin", "service.dispatch"),
        stock.transfer,
        _l("Stock moved."),
    ),
    "adjust": (stock.AdjustInput, ("service.admin",), stock.adjust, _l("Stock corrected.")),
    "location": (
        parts.LocationInput,
        ("service.admin",),
        parts.create_location,
        _l("Location added."),
    ),
}


@bp.app_context_processor
def part_helpers():
    return {
        "wo_part_choices": part_choices,
        "wo_parts_used": parts.parts_used,
        "wo_van_stock": my_van_stock,
        "wo_amount": parts.amount,
        "wo_low_stock": parts.LOW_STOCK,
    }


def part_choices(order: WorkOrder) -> list[tuple]:
    """Active parts for the completion form, each with what the order's
    engineer has of it in their van (``None``: none there)."""
    in_van = parts.van_stock(order.engineer_id) if order.engineer_id else {}
    return [(p, in_van.get(p.id)) for p in parts.parts(active_only=True)]


def my_van_stock() -> list:
    """The stock in the signed-in engineer's van, by part name."""
    van = parts.van_of(current_user.id)
    if van is None:
        return []
    rows = db.session.scalars(
        parts.visible_stock(current_user)
        .where(Stock.location_id == van.id)
        .options(joinedload(Stock.part))
    ).all()
    return sorted(rows, key=lambda s: (s.part.name, s.part_id))


def _may_read() -> None:
    if not (current_user.can("service.order.read") or current_user.can("service.engineer")):
        abort(403)


def render_parts(
    errors: dict | None = None,
    values: dict | None = None,
    failed: str | None = None,
    status: int = 200,
):
    """Parts down (by name, or sorted by a column: ``sort``, ``-`` for
    descending; 50 a page), locations across, the quantity where they meet."""
    locations = db.session.scalars(
        parts.visible_locations(current_user)
        .where(StockLocation.active.is_(True))
        .order_by(StockLocation.kind.desc(), StockLocation.name, StockLocation.id)
        .limit(50)
    ).all()
    sort, order = list_sort(PART_SORTS, (Part.name, Part.id), Part.id)
    page = list_page()
    # one row more than a page says whether there is a next one
    rows = db.session.scalars(
        select(Part).order_by(*order).offset((page - 1) * LIST_SIZE).limit(LIST_SIZE + 1)
    ).all()
    quantities = {
        (s.part_id, s.location_id): s.quantity
        for s in db.session.scalars(
            parts.visible_stock(current_user).where(
                Stock.part_id.in_([p.id for p in rows[:LIST_SIZE]])
            )
        )
    }
    return render_template(
        "service_dispatch/parts.html",
        rows=rows[:LIST_SIZE],
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
        locations=locations,
        stock=quantities,
        low=parts.LOW_STOCK,
        amount=parts.amount,
        errors=errors or {},
        values=values or {},
        failed=failed,
        may=lambda form: any(current_user.can(p) for p in FORMS[form][1]),
        part_choices=[(p.id, f"{p.sku} {p.name}") for p in parts.parts(active_only=True)],
        location_choices=[(loc.id, loc.name) for loc in locations],
        engineer_choices=_engineers_without_van(),
    ), status


def _engineers_without_van() -> list[tuple[int, str]]:
    """Engineers without a van yet, for the new-location form."""
    if not current_user.can("service.admin"):
        return []
    have_van = set(
        db.session.scalars(
            select(StockLocation.engineer_id).where(StockLocation.engineer_id.is_not(None))
        )
    )
    return [
        (e.user_id, e.user.name)
        for e in dispatch.engineers(active_only=True)
        if e.user_id not in have_van
    ]


@bp.route("/parts")
@login_required
def parts_page():
    _may_read()
    return render_parts()


@bp.route("/parts/<form>", methods=["POST"])
@login_required
def parts_post(form: str):
    """One of the page's forms; a refusal shows the page again with the
    form's input and its messages (422), and nothing is written."""
    if form not in FORMS:
        abort(404)
    schema, permissions, service, done = FORMS[form]
    if not any(current_user.can(p) for p in permissions):
        abort(403)
    data = form_payload(schema())
    try:
        service(data, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return render_parts(exc.errors, data, form, 422)
    except StaleVersionError:
        db.session.rollback()
        flash(_("The stock changed at the same moment; look again and retry."), "error")
        return redirect(url_for(".parts_page"))
    flash(str(done), "success")
    return redirect(url_for(".parts_page") + ("#stock" if form != "part" else "#parts"))
