"""``/api/v1/insurance/carriers`` and ``/products``: the catalogue — carriers,
their products with their covers, each product's premium table (``rates``)
and what it costs (``price``).

Reading needs ``insurance.policy.read``, writing ``insurance.admin``; a
deleted carrier, or a product of one, is a 404.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from core.api import (
    NotFoundError,
    expected_version,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
    translator,
)

from ..models import Carrier, InsuranceProduct
from ..schemas.catalogue import (
    CarrierArgs,
    CarrierOut,
    InsuranceProductOut,
    PriceOut,
    ProductArgs,
    RatesIn,
    RatesOut,
)
from ..services import catalogue, rates
from ..services.pricing import PriceInput, price_product
from .blueprint import bp

_, _l = translator("insurance")
READ, ADMIN = "insurance.policy.read", "insurance.admin"
CARRIER_SORTS = {"code": Carrier.code, "name": Carrier.name, "updated_at": Carrier.updated_at}
PRODUCT_SORTS = {
    "code": InsuranceProduct.code,
    "name": InsuranceProduct.name,
    "line": InsuranceProduct.line,
    "updated_at": InsuranceProduct.updated_at,
}


def _body(schema) -> dict:
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


def _carrier(carrier_id: int) -> Carrier:
    carrier = catalogue.live_carrier(carrier_id)
    if carrier is None:
        raise NotFoundError(_("carrier %(id)s not found", id=carrier_id))
    return carrier


def _product(product_id: int) -> InsuranceProduct:
    product = catalogue.live_product(product_id)
    if product is None:
        raise NotFoundError(_("product %(id)s not found", id=product_id))
    return product


def _rates(product: InsuranceProduct) -> dict:
    return {
        "product_id": product.id,
        "version": product.version,
        "rates": rates.product_rates(product),
    }


@bp.route("/carriers", methods=["GET"])
@bp.arguments(sorted_by(CarrierArgs, CARRIER_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(CarrierOut, "InsuranceCarrierPage"))
def list_carriers(args):
    require(READ)
    return paginate(catalogue.carriers_query(args.get("q")), args, CARRIER_SORTS, "name")


@bp.route("/carriers", methods=["POST"])
@bp.doc(**_body(catalogue.CarrierInput))
@bp.response(201, CarrierOut)
def create_carrier():
    require(ADMIN)
    return catalogue.create_carrier(json_body(), current_user)


@bp.route("/carriers/<int:carrier_id>", methods=["GET"])
@bp.response(200, CarrierOut)
def get_carrier(carrier_id: int):
    require(READ)
    return _carrier(carrier_id)


@bp.route("/carriers/<int:carrier_id>", methods=["PATCH"])
@bp.doc(**_body(catalogue.CarrierChange))
@bp.response(200, CarrierOut)
def update_carrier(carrier_id: int):
    require(ADMIN)
    carrier = _carrier(carrier_id)
    payload = json_body()
    version = expected_version(payload)
    return catalogue.update_carrier(carrier, payload, current_user, version)


@bp.route("/carriers/<int:carrier_id>", methods=["DELETE"])
@bp.response(204)
def delete_carrier(carrier_id: int):
    """Into the recycle bin, with its products (``If-Match``: the version read)."""
    require(ADMIN)
    carrier = _carrier(carrier_id)
    version = expected_version({}) if request.headers.get("If-Match") else None
    catalogue.delete_carrier(carrier, current_user, version)


@bp.route("/products", methods=["GET"])
@bp.arguments(sorted_by(ProductArgs, PRODUCT_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(InsuranceProductOut, "InsuranceProductPage"))
def list_products(args):
    require(READ)
    query = catalogue.products_query(args.get("q"), args.get("carrier_id"), args.get("line"))
    return paginate(query, args, PRODUCT_SORTS, "name")


@bp.route("/products", methods=["POST"])
@bp.doc(**_body(catalogue.InsuranceProductInput))
@bp.response(201, InsuranceProductOut)
def create_product():
    """A new product; ``covers`` lists every cover it offers."""
    require(ADMIN)
    return catalogue.create_product(json_body(), current_user)


@bp.route("/products/<int:product_id>", methods=["GET"])
@bp.response(200, InsuranceProductOut)
def get_product(product_id: int):
    require(READ)
    return _product(product_id)


@bp.route("/products/<int:product_id>", methods=["PATCH"])
@bp.doc(**_body(catalogue.InsuranceProductChange))
@bp.response(200, InsuranceProductOut)
def update_product(product_id: int):
    """Change a product; ``covers``, when given, replaces them all."""
    require(ADMIN)
    product = _product(product_id)
    payload = json_body()
    version = expected_version(payload)
    return catalogue.update_product(product, payload, current_user, version)


@bp.route("/products/<int:product_id>/rates", methods=["GET"])
@bp.response(200, RatesOut)
def get_rates(product_id: int):
    require(READ)
    return _rates(_product(product_id))


@bp.route("/products/<int:product_id>/rates", methods=["PUT"])
@bp.doc(**_body(RatesIn))
@bp.response(200, RatesOut)
def replace_rates(product_id: int):
    """Replace the premium table; a bad row is named by its index
    (``rates.2.age_to``; ``rates.2`` when its bands overlap an earlier row's
    or it gives both or neither of a premium and a rate) and nothing changes."""
    require(ADMIN)
    product = _product(product_id)
    payload = json_body()
    version = expected_version(payload)
    rates.set_rates(product, payload.get("rates"), current_user, version)
    return _rates(product)


@bp.route("/products/<int:product_id>/price", methods=["POST"])
@bp.doc(**_body(PriceInput))
@bp.response(200, PriceOut)
def price(product_id: int):
    """A year's premium per cover and in total; 422 naming the input no row
    of the premium table accepts (``age``, ``sum_insured``, ``vehicle_class``)."""
    require(READ)
    return price_product(_product(product_id), json_body())
