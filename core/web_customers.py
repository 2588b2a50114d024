"""Customer pages: a searchable list and the customer's page with contacts,
timeline and the tabs plugins add. Every lookup goes through ``scoped``: a
customer the user may not see is a 404, so its existence does not leak."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from core.access import scoped
from core.extensions import db
from core.models import Activity, Customer
from core.registry import sorted_items

bp = Blueprint("customers", __name__, url_prefix="/customers")
PER_PAGE = 50


def visible_customer(customer_id: int) -> Customer:
    customer = db.session.scalar(
        scoped(select(Customer), Customer, current_user).where(Customer.id == customer_id))
    if customer is None:
        abort(404)
    return customer


@bp.route("/")
@login_required
def index():
    q = request.args.get("q", "").strip()[:100]
    page = max(1, min(request.args.get("page", 1, type=int), 10_000))
    query = scoped(select(Customer), Customer, current_user)
    if q:
        query = query.where(Customer.name.contains(q, autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Customer.updated_at.desc(), Customer.id.desc())
                              .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template("core/customers.html", customers=rows, q=q, page=page, total=total,
                           pages=max(1, -(-total // PER_PAGE)))


@bp.route("/<int:customer_id>")
@login_required
def detail(customer_id: int):
    customer = visible_customer(customer_id)
    timeline = db.session.scalars(
        select(Activity).where(Activity.customer_id == customer.id, Activity.deleted_at.is_(None))
        .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(50)).all()
    tabs = sorted_items("trellis_customer_tabs", customer=customer, user=current_user)
    return render_template("core/customer.html", customer=customer, timeline=timeline, tabs=tabs)
