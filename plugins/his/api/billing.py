"""``/api/v1/his`` billing (收费): ``/price-items`` (the price list,
``his.admin`` writes), ``/charges`` (what patients owe), ``/payments``
(take a payment of unpaid charges by split tenders; its receipt),
``/refunds`` (ask, then pay out once approved through core's approval
engine) and ``/settlements`` (close the caller's day, 日结).

Reading needs ``his.billing.read``; taking payments, paying out refunds and
closing the day ``his.billing.write``; asking for a refund
``his.billing.refund``. The desk (scope all) sees every patient's; anyone
else the patients their scope shows — another patient's record is a 404."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from core.api import (
    expected_version,
    json_body,
    load,
    page_schema,
    paginate,
    require,
    sorted_by,
    translator,
)

from ..models import Charge, PatientPayment, PriceItem, Refund, Settlement
from ..schemas.billing import (
    HisChargeArgs,
    HisChargeOut,
    HisPaymentArgs,
    HisPaymentOut,
    HisPriceItemArgs,
    HisPriceItemOut,
    HisRefundArgs,
    HisRefundOut,
    HisSettlementArgs,
    HisSettlementBody,
    HisSettlementOut,
)
from ..services import billing
from ..services.billing.inputs import (
    HisPaymentInput,
    HisPriceItemChange,
    HisPriceItemInput,
    HisRefundInput,
)
from .blueprint import bp

_, _l = translator("his")

PRICE_SORTS = {"code": PriceItem.code, "category": PriceItem.category, "price": PriceItem.price}
CHARGE_SORTS = {"created_at": Charge.created_at, "amount": Charge.amount, "id": Charge.id}
PAYMENT_SORTS = {"paid_at": PatientPayment.paid_at, "number": PatientPayment.number}
REFUND_SORTS = {"created_at": Refund.created_at, "amount": Refund.amount}
SETTLEMENT_SORTS = {"day": Settlement.day, "closed_at": Settlement.closed_at}


def _filtered(query, model, args, keys):
    for key in keys:
        if args.get(key) is not None:
            query = query.where(getattr(model, key) == args[key])
    return query


@bp.route("/price-items", methods=["GET"])
@bp.arguments(sorted_by(HisPriceItemArgs, PRICE_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisPriceItemOut, "HisPriceItemPage"))
def list_price_items(args):
    """The price list (价目表), by category and activity."""
    require("his.billing.read")
    query = _filtered(select(PriceItem), PriceItem, args, ("category", "active"))
    return paginate(query, args, PRICE_SORTS, "code")


@bp.route("/price-items", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": HisPriceItemInput}}})
@bp.response(201, HisPriceItemOut)
def create_price_item():
    """Add a price item; 409 naming ``code`` when taken."""
    require("his.admin")
    return billing.create_price_item(json_body(), current_user)


@bp.route("/price-items/<int:item_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": HisPriceItemChange}}})
@bp.response(200, HisPriceItemOut)
def update_price_item(item_id: int):
    """Change a price item (with the ``version`` read); new charges only."""
    require("his.admin")
    payload = json_body()
    version = expected_version(payload)
    return billing.update_price_item(
        billing.get_price_item(item_id), payload, current_user, version
    )


@bp.route("/charges", methods=["GET"])
@bp.arguments(sorted_by(HisChargeArgs, CHARGE_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisChargeOut, "HisChargePage"))
def list_charges(args):
    """Charges, filtered by patient, visit, payment, source record and status."""
    require("his.billing.read")
    keys = ("customer_id", "visit_id", "payment_id", "source", "source_id", "status")
    query = _filtered(billing.visible_billing(Charge, current_user), Charge, args, keys)
    return paginate(query, args, CHARGE_SORTS, "id")


@bp.route("/payments", methods=["GET"])
@bp.arguments(sorted_by(HisPaymentArgs, PAYMENT_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisPaymentOut, "HisPaymentPage"))
def list_payments(args):
    require("his.billing.read")
    keys = ("customer_id", "cashier_id", "settlement_id")
    query = _filtered(
        billing.visible_billing(PatientPayment, current_user), PatientPayment, args, keys
    )
    return paginate(query, args, PAYMENT_SORTS, "-paid_at")


@bp.route("/payments", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": HisPaymentInput}}})
@bp.response(201, HisPaymentOut)
def create_payment():
    """Take a payment of a patient's unpaid ``charge_ids`` by ``tenders``
    (cash, card, wechat, alipay, insurance). The tenders must pay the total:
    only cash may exceed it (the change); too little or too much is a 422
    naming ``tenders``; a charge paid meanwhile a 409 naming ``charge_ids``."""
    require("his.billing.write")
    return billing.take_payment(json_body(), current_user)


@bp.route("/payments/<int:payment_id>", methods=["GET"])
@bp.response(200, HisPaymentOut)
def get_payment(payment_id: int):
    require("his.billing.read")
    return billing.visible_one(PatientPayment, payment_id, current_user, _("payment"))


@bp.route("/refunds", methods=["GET"])
@bp.arguments(sorted_by(HisRefundArgs, REFUND_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisRefundOut, "HisRefundPage"))
def list_refunds(args):
    require("his.billing.read")
    keys = ("payment_id", "customer_id", "status")
    query = _filtered(billing.visible_billing(Refund, current_user), Refund, args, keys)
    return paginate(query, args, REFUND_SORTS, "-created_at")


@bp.route("/refunds", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": HisRefundInput}}})
@bp.response(201, HisRefundOut)
def create_refund():
    """Ask for a refund of ``charge_ids`` or an ``amount`` of a payment,
    with a ``reason``; submitted for approval at once. More than what the
    patient paid (less refunds done or open) is a 422 naming ``amount``."""
    require("his.billing.refund")
    return billing.request_refund(json_body(), current_user)


@bp.route("/refunds/<int:refund_id>", methods=["GET"])
@bp.response(200, HisRefundOut)
def get_refund(refund_id: int):
    require("his.billing.read")
    return billing.visible_one(Refund, refund_id, current_user, _("refund"))


@bp.route("/refunds/<int:refund_id>/payout", methods=["POST"])
@bp.response(200, HisRefundOut)
def pay_out_refund(refund_id: int):
    """Hand an approved refund back; 409 naming ``status`` otherwise."""
    require("his.billing.write")
    refund = billing.visible_one(Refund, refund_id, current_user, _("refund"))
    return billing.pay_refund(refund, current_user)


@bp.route("/settlements", methods=["GET"])
@bp.arguments(sorted_by(HisSettlementArgs, SETTLEMENT_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisSettlementOut, "HisSettlementPage"))
def list_settlements(args):
    """Settlements: the caller's own, or every cashier's for who has
    ``his.admin``."""
    require("his.billing.read")
    query = _filtered(select(Settlement), Settlement, args, ("cashier_id", "day"))
    if not current_user.can("his.admin"):
        query = query.where(Settlement.cashier_id == current_user.id)
    return paginate(query, args, SETTLEMENT_SORTS, "-day")


@bp.route("/settlements", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": HisSettlementBody}}})
@bp.response(201, HisSettlementOut)
def close_settlement():
    """Close the caller's day (today unless ``day``): their payments and
    paid-out refunds not settled yet, by method. A second closing of the
    same day is a 409 naming ``day``."""
    require("his.billing.write")
    data = load(HisSettlementBody(), json_body())
    return billing.close_settlement(current_user, day=data["day"])
