"""Web pages for products (``/sales/products``) and a deal's lines."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import (
    ConflictError,
    StaleVersionError,
    ValidationError,
    db,
    form_payload,
    form_version,
    instance_currency,
    list_page,
    list_sort,
    require,
    translator,
)

from ..models import Product
from ..services import products
from ..services.access import visible_deal
from .blueprint import bp

_, _l = translator("sales")
LINE_FIELDS = ("product_id", "description", "unit_price", "quantity", "discount_percent")
BLANK_ROWS = 3
LIST_SIZE = 50  # products on a page of the list
#: the products list's sortable columns
PRODUCT_SORTS = {"code": Product.code, "name": Product.name, "unit_price": Product.unit_price}


def posted_lines() -> list[dict]:
    """The form's rows (``line-<n>-<field>``) that have anything typed in them."""
    rows = []
    for n in range(products.MAX_LINES):
        row = {f: request.form.get(f"line-{n}-{f}", "").strip() for f in LINE_FIELDS}
        if f"line-{n}-quantity" not in request.form:
            break
        if any(row.values()):
            rows.append(
                {k: v or None for k, v in row.items()}
                | {"discount_percent": row["discount_percent"] or "0"}
            )
    return rows


@bp.route("/deals/<int:deal_id>/lines", methods=["GET", "POST"])
@login_required
def deal_lines(deal_id: int):
    """Edit a deal's lines; the amount becomes their total."""
    require("sales.deal.write")
    deal = visible_deal(deal_id, current_user)
    errors, status = {}, 200
    rows = [{f: getattr(line, f) for f in LINE_FIELDS} for line in deal.lines]
    version = deal.version
    if request.method == "POST":
        rows, version = posted_lines(), form_version()
        try:
            products.set_lines(deal, rows, current_user, version)
        except ValidationError as exc:
            db.session.rollback()
            errors, status = exc.errors, 422
        except StaleVersionError:
            db.session.rollback()
            flash(
                _(
                    "Someone else changed this deal while you were editing. Your input is kept "
                    "below; check the deal's page and save again."
                ),
                "error",
            )
            status, version = 409, deal.version
        except ConflictError as exc:  # waiting for approval: the input is kept, nothing saved
            db.session.rollback()
            flash(str(exc), "error")
            status = 409
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".deal", deal_id=deal.id) + "#lines")
    return render_template(
        "sales/deal_lines.html",
        deal=deal,
        rows=rows + [{}] * BLANK_ROWS,
        errors=errors,
        version=version,
        catalogue=products.products(active_only=True),
    ), status


@bp.route("/products", methods=["GET", "POST"])
@login_required
def product_list():
    """产品: the price list deals' lines pick from, by name (or sorted by a
    column: ``sort``, ``-`` for descending), 50 a page."""
    require("sales.deal.read")
    values, errors = {"currency": instance_currency()}, {}
    if request.method == "POST":
        require("sales.admin")
        values = form_payload(
            products.ProductInput(), only=("code", "name", "unit_price", "currency")
        )
        try:
            product = products.create_product(values, current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash(_("Product %(name)s added.", name=product.name), "success")
            return redirect(url_for(".product_list"))
    sort, order = list_sort(PRODUCT_SORTS, (Product.name, Product.id), Product.id)
    page = list_page()
    rows = db.session.scalars(
        select(Product).order_by(*order).offset((page - 1) * LIST_SIZE).limit(LIST_SIZE + 1)
    ).all()
    return render_template(
        "sales/products.html",
        rows=rows[:LIST_SIZE],
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
        values=values,
        errors=errors,
    ), 422 if errors else 200
