"""``/api/v1/sales/products`` and a deal's lines (``/deals/{id}/lines``)."""

from __future__ import annotations

from flask_login import current_user

from core.api import NotFoundError, db, expected_version, json_body, require, translator

from ..models import Product
from ..schemas.products import LinesIn, LinesOut, ProductOut
from ..services import products
from ..services.access import visible_deal
from .blueprint import bp

_, _l = translator("sales")


def _lines(deal) -> dict:
    return {
        "deal_id": deal.id,
        "amount": deal.amount,
        "currency": deal.currency,
        "version": deal.version,
        "lines": deal.lines,
    }


@bp.route("/products", methods=["GET"])
@bp.response(200, ProductOut(many=True))
def list_products():
    require("sales.deal.read")
    return products.products()


@bp.route("/products", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": products.ProductInput}}})
@bp.response(201, ProductOut)
def create_product():
    require("sales.admin")
    return products.create_product(json_body(), current_user)


@bp.route("/products/<int:product_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": products.ProductChange}}})
@bp.response(200, ProductOut)
def update_product(product_id: int):
    require("sales.admin")
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFoundError(_("product %(id)s not found", id=product_id))
    payload = json_body()
    version = expected_version(payload)
    return products.update_product(product, payload, current_user, version)


@bp.route("/deals/<int:deal_id>/lines", methods=["GET"])
@bp.response(200, LinesOut)
def deal_lines(deal_id: int):
    require("sales.deal.read")
    return _lines(visible_deal(deal_id, current_user))


@bp.route("/deals/<int:deal_id>/lines", methods=["PUT"])
@bp.doc(requestBody={"content": {"application/json": {"schema": LinesIn}}})
@bp.response(200, LinesOut)
def replace_deal_lines(deal_id: int):
    """Replace every line; the deal's amount becomes their sum. A bad line is
    named by its index (``lines.2.quantity``) and nothing changes."""
    require("sales.deal.write")
    deal = visible_deal(deal_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    products.set_lines(deal, payload.get("lines"), current_user, version)
    return _lines(deal)
