"""``/api/v1/his/exam-orders``: examination orders (检查/检验) of visits —
list, order an item of the price list (lab or imaging) in an open visit,
enter a result, cancel; ``/exam-orders/import`` enters results from a CSV
body (columns ``order`` — id or number —, ``value``, ``unit``, ``flag``,
``text``), all rows or none; ``/exam-items`` lists what may be ordered.

Reading needs ``his.visit.read``, ordering and cancelling
``his.visit.write``, results ``his.result.write`` (nurses too); an order
of a visit the caller does not see is a 404."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from core.api import (
    ValidationError,
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
    translator,
)

from ..models import ExamOrder
from ..schemas.orders import (
    HisCancelBody,
    HisExamItemOut,
    HisExamOrderArgs,
    HisExamOrderOut,
    HisResultBody,
    HisResultImportOut,
)
from ..services import orders
from ..services.orders.inputs import ExamOrderInput
from .blueprint import bp

_, _l = translator("his")

SORTS = {"created_at": ExamOrder.created_at, "number": ExamOrder.number}
_RESULT = (
    ("value", "text", "unit", "flag"),
    "a result gives a value or a text (or both); a unit or a flag needs the value",
)

_IMPORT = (
    ("file", "rows"),
    "a header row naming order, value, unit, flag, text; each row an order the caller "
    "sees still waiting for its result, with a value or a text",
)


def _version(payload: dict) -> int:
    version = expected_version(payload)
    if version is None:
        raise ValidationError({"version": [_("give the version you read")]})
    return version


@bp.route("/exam-items", methods=["GET"])
@bp.response(200, HisExamItemOut(many=True))
def list_exam_items():
    """The active lab and imaging items of the price list, what an order names."""
    require("his.visit.read")
    return orders.exam_items()


@bp.route("/exam-orders", methods=["GET"])
@bp.arguments(sorted_by(HisExamOrderArgs, SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisExamOrderOut, "HisExamOrderPage"))
def list_exam_orders(args):
    """Examination orders, newest first, by visit, patient, kind or status."""
    require("his.visit.read")
    query = orders.visible_exam_orders(current_user)
    for key in ("visit_id", "customer_id", "kind", "status"):
        if args.get(key) is not None:
            query = query.where(getattr(ExamOrder, key) == args[key])
    return paginate(query, args, SORTS, "-created_at")


@bp.route("/exam-orders", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": ExamOrderInput}}})
@bp.response(201, HisExamOrderOut)
def create_exam_order():
    """Order an examination in an open visit (409 naming ``visit_id`` once
    closed; 404 naming ``item_code`` for no such lab or imaging item); it is
    charged at once."""
    require("his.visit.write")
    return orders.place_order(json_body(), current_user)


@bp.route("/exam-orders/<int:exam_order_id>", methods=["GET"])
@bp.response(200, HisExamOrderOut)
def get_exam_order(exam_order_id: int):
    require("his.visit.read")
    return orders.visible_exam_order(exam_order_id, current_user)


@bp.route("/exam-orders/<int:exam_order_id>/result", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": HisResultBody}}}, **field_rules(_RESULT)
)
@bp.response(200, HisExamOrderOut)
def enter_result(exam_order_id: int):
    """Enter the result of an ordered examination (409 naming ``status`` once
    resulted or cancelled)."""
    require("his.result.write")
    order = orders.visible_exam_order(exam_order_id, current_user)
    payload = json_body()
    version = _version(payload)
    return orders.enter_result(order, payload, current_user, version)


@bp.route("/exam-orders/<int:exam_order_id>/cancel", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": HisCancelBody}}})
@bp.response(200, HisExamOrderOut)
def cancel_exam_order(exam_order_id: int):
    """Cancel an order not yet resulted, with a reason; its charge is voided
    (422 naming ``charges`` once paid)."""
    require("his.visit.write")
    order = orders.visible_exam_order(exam_order_id, current_user)
    payload = json_body()
    version = _version(payload)
    return orders.cancel_order(order, payload, current_user, version)


@bp.route("/exam-orders/import", methods=["POST"])
@bp.doc(
    requestBody={"content": {"text/csv": {"schema": {"type": "string"}}}}, **field_rules(_IMPORT)
)
@bp.response(200, HisResultImportOut)
def import_results():
    """Results from a CSV body: every row checked first (422 listing the bad
    rows by line: an unknown order, one already resulted or cancelled, a row
    without value or text); then all are entered in one transaction."""
    require("his.result.write")
    data = request.get_data()
    if not data.strip():
        raise ValidationError({"file": [_("the CSV is empty")]})
    resulted = orders.import_results(data, current_user)
    return {"imported": len(resulted), "orders": resulted}
