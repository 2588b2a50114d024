"""``/api/v1/service/parts``, ``/stock-locations`` and ``/stock``: spare
parts (备件), where they lie, and every move of stock.

Anyone who works on orders or in the field reads parts; an engineer sees
the stock of their own van only (:func:`services.parts.visible_locations`). Service
admins add parts and locations, receive stock and correct counts;
dispatchers and admins move stock between locations.
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    NotFoundError,
    db,
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
    text_contains,
    translator,
)

from ..models import Part, Stock, StockLocation, StockMove
from ..schemas.parts import (
    LocationOut,
    MoveArgs,
    MoveOut,
    PartArgs,
    PartOut,
    StockArgs,
    StockOut,
    StockTransferOut,
)
from ..services import parts, stock
from .blueprint import bp

_, _l = translator("service_dispatch")
PART_SORTABLE = {"sku": Part.sku, "name": Part.name, "price": Part.price}
STOCK_SORTABLE = {
    "quantity": Stock.quantity,
    "part_id": Stock.part_id,
    "location_id": Stock.location_id,
}
MOVE_SORTABLE = {"at": StockMove.at}


def _may_read() -> None:
    if not current_user.can("service.engineer"):
        require("service.order.read")


def _part(part_id: int) -> Part:
    part = db.session.get(Part, part_id)
    if part is None:
        raise NotFoundError(_("part %(id)s not found", id=part_id))
    return part


@bp.route("/parts", methods=["GET"])
@bp.arguments(sorted_by(PartArgs, PART_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(PartOut, "PartPage"))
def list_parts(args):
    """The spare parts, searched by SKU or name (``q``)."""
    _may_read()
    query = select(Part)
    if args.get("active") is not None:
        query = query.where(Part.active.is_(args["active"]))
    if args.get("q"):
        query = query.where(
            text_contains(Part.sku, args["q"]) | text_contains(Part.name, args["q"])
        )
    return paginate(query, args, PART_SORTABLE, "name")


@bp.route("/parts", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": parts.PartInput}}})
@bp.response(201, PartOut)
def create_part():
    """Add a part; its SKU is unique (409 naming ``sku`` otherwise)."""
    require("service.admin")
    return parts.create_part(json_body(), current_user)


@bp.route("/parts/<int:part_id>", methods=["GET"])
@bp.response(200, PartOut)
def get_part(part_id: int):
    _may_read()
    return _part(part_id)


@bp.route("/parts/<int:part_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": parts.PartChange}}})
@bp.response(200, PartOut)
def update_part(part_id: int):
    """Change a part; send the ``version`` you read (409 when stale)."""
    require("service.admin")
    part = _part(part_id)
    payload = dict(json_body())
    version = expected_version(payload)
    return parts.update_part(part, payload, current_user, version)


@bp.route("/stock-locations", methods=["GET"])
@bp.response(200, LocationOut(many=True))
def list_locations():
    """Warehouses and vans the caller may see (an engineer: their van)."""
    _may_read()
    query = parts.visible_locations(current_user).order_by(
        StockLocation.kind.desc(), StockLocation.name, StockLocation.id
    )
    return db.session.scalars(query).all()


@bp.route("/stock-locations", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": parts.LOCATION_BODY}}})
@bp.response(201, LocationOut)
def create_location():
    """Add a warehouse, or a van for one engineer (``engineer_id``)."""
    require("service.admin")
    return parts.create_location(json_body(), current_user)


@bp.route("/stock", methods=["GET"])
@bp.arguments(sorted_by(StockArgs, STOCK_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(StockOut, "StockPage"))
def list_stock(args):
    """How much of each part lies where; an engineer sees their own van only."""
    _may_read()
    query = parts.visible_stock(current_user).options(
        joinedload(Stock.part), joinedload(Stock.location)
    )
    for key in ("part_id", "location_id"):
        if args.get(key):
            query = query.where(getattr(Stock, key) == args[key])
    return paginate(query, args, STOCK_SORTABLE, "location_id,part_id")


@bp.route("/stock/receive", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": stock.ReceiveInput}}})
@bp.response(200, StockOut)
def receive_stock():
    """Stock arriving at a location; answers the location's new stock of the part."""
    require("service.admin")
    return stock.receive(json_body(), current_user)


@bp.route("/stock/transfer", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": stock.StockTransferInput}}},
    **field_rules((("from_location_id", "to_location_id"), "the two locations differ")),
)
@bp.response(200, StockTransferOut)
def transfer_stock():
    """Move stock between locations; more than the source holds is a 409 and nothing moves."""
    if not current_user.can("service.admin"):
        require("service.dispatch")
    source, target = stock.transfer(json_body(), current_user)
    return {"source": source, "target": target}


@bp.route("/stock/adjust", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": stock.AdjustInput}}})
@bp.response(200, StockOut)
def adjust_stock():
    """Correct the books after a count (``counted``, with a ``note``)."""
    require("service.admin")
    return stock.adjust(json_body(), current_user)


@bp.route("/stock/moves", methods=["GET"])
@bp.arguments(sorted_by(MoveArgs, MOVE_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(MoveOut, "StockMovePage"))
def list_moves(args):
    """Every change of stock at the locations the caller may see, newest first."""
    _may_read()
    query = select(StockMove).where(
        StockMove.location_id.in_(parts.visible_locations(current_user, select(StockLocation.id)))
    )
    for key in ("part_id", "location_id", "reason", "work_order_id"):
        if args.get(key):
            query = query.where(getattr(StockMove, key) == args[key])
    return paginate(query, args, MOVE_SORTABLE, "-at")
