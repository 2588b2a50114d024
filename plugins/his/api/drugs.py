"""``/api/v1/his/drugs``: the formulary (药品目录) — list and find (for
whoever writes or reads visits, and ``his.admin``), add and edit
(``his.admin``). A drug is deactivated (``active: false``), never deleted."""

from __future__ import annotations

from flask_login import current_user

from core.api import (
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
)

from ..models import Drug
from ..schemas.orders import HisDrugArgs, HisDrugOut
from ..services import orders
from ..services.orders.inputs import DrugChange, DrugInput
from .blueprint import bp

SORTS = {"code": Drug.code, "generic_name": Drug.generic_name, "price": Drug.price}
_CODE = (("code",), "unique among the drugs (409 when taken)")


def require_formulary_read() -> None:
    """The formulary is read by who writes or reads visits, and by its admin."""
    if not (current_user.can("his.visit.read") or current_user.can("his.admin")):
        require("his.admin")  # the 403 naming the permission


@bp.route("/drugs", methods=["GET"])
@bp.arguments(sorted_by(HisDrugArgs, SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisDrugOut, "HisDrugPage"))
def list_drugs(args):
    """Drugs by code; ``q`` finds by code or a name (generic, brand, Chinese),
    ``active`` filters."""
    require_formulary_read()
    return paginate(
        orders.drugs_query(args.get("q") or "", active=args.get("active")), args, SORTS, "code"
    )


@bp.route("/drugs", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": DrugInput}}}, **field_rules(_CODE))
@bp.response(201, HisDrugOut)
def create_drug():
    """Add a drug to the formulary."""
    require("his.admin")
    return orders.create_drug(json_body(), current_user)


@bp.route("/drugs/<int:drug_id>", methods=["GET"])
@bp.response(200, HisDrugOut)
def get_drug(drug_id: int):
    require_formulary_read()
    return orders.get_drug(drug_id)


@bp.route("/drugs/<int:drug_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": DrugChange}}}, **field_rules(_CODE))
@bp.response(200, HisDrugOut)
def update_drug(drug_id: int):
    """Edit or deactivate (``active: false``) a drug (``version``: 409 when stale)."""
    require("his.admin")
    drug = orders.get_drug(drug_id)
    payload = json_body()
    version = expected_version(payload)
    return orders.update_drug(drug, payload, current_user, version)
