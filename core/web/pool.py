"""The customer pool on the web: customers without an owner, searchable, and
claiming one. Who may claim is the API's ``pool.claim`` permission; the pool
query is the API's (:func:`core.rest.pool.pool_query`)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.errors import ValidationError
from core.extensions import db
from core.i18n import _
from core.models import Customer
from core.rest.auth import require
from core.rest.pool import pool_query
from core.search import search_match
from core.services import pool as pool_service

bp = Blueprint("pool", __name__, url_prefix="/pool")
PER_PAGE = 25


@bp.route("/")
@login_required
def index():
    require("pool.claim")
    q = request.args.get("q", "").strip()[:200]
    query = pool_query()
    if q:
        query = query.where(search_match(Customer, q, current_user))
    rows = db.session.scalars(
        query.order_by(Customer.updated_at.desc(), Customer.id.desc()).limit(PER_PAGE * 4)
    ).all()
    return render_template("core/pool.html", customers=rows, q=q)


@bp.route("/<int:customer_id>/claim", methods=["POST"])
@login_required
def claim(customer_id: int):
    require("pool.claim")
    customer = db.session.scalar(pool_query().where(Customer.id == customer_id))
    if customer is None:
        abort(404)
    try:
        pool_service.claim(customer, current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
        return redirect(url_for(".index"))
    flash(_("%(name)s is now yours.", name=customer.name), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id))
