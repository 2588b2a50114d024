"""``/api/v1/sales``: receivable plans (``receivable-plans``, and PUT
``contracts/<id>/receivable-plan``), payments (``payments``) and the
collection list (``collections``).

Reading needs ``sales.payment.read``, writing ``sales.payment.write``;
every contract, payment and instalment goes through the scoped query
(``visible_records``): a rep's own, a manager's team's, else 404.
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.api import (
    Customer,
    ValidationError,
    db,
    expected_version,
    json_body,
    ordered,
    page_schema,
    paginate,
    require,
    search_match,
    sorted_by,
    text_contains,
    translator,
)

from ..models import Contract, Instalment, Payment
from ..schemas.receivables import (
    CollectionListArgs,
    CollectionRowOut,
    PaymentArgs,
    PaymentOut,
    ReceivablePlanArgs,
    ReceivablePlanOut,
    ReverseInput,
    payment_request,
)
from ..services.access import visible_record, visible_records
from ..services.receivables import payments, plans
from ..services.receivables.collections import collection_query, overdue_row
from ..services.receivables.payments import today
from .blueprint import bp

_, _l = translator("sales")
PAYMENT_SORTS = {
    "paid_on": Payment.paid_on,
    "amount": Payment.amount,
    "created_at": Payment.created_at,
}
COLLECTION_SORTS = {"due_date": Instalment.due_date, "amount": Instalment.amount}


def plan_out(contract: Contract) -> dict:
    as_of = today()
    rows = plans.plan_of(contract)
    return {
        "contract_id": contract.id,
        "contract_number": contract.number,
        "amount": contract.amount,
        "currency": contract.currency,
        "collected": contract.collected,
        "version": contract.version,
        "instalments": [
            {
                **{c: getattr(i, c) for c in InstalmentFields},
                "open": i.amount - i.collected,
                "overdue": i.settled_on is None and i.due_date < as_of,
                "state": plans.instalment_state(i, as_of),
            }
            for i in rows
        ],
    }


InstalmentFields = (
    "id", "contract_id", "number", "due_date", "amount", "currency", "collected",
    "settled_on", "note", "owner_id", "version",
)  # fmt: skip


@bp.route("/receivable-plans", methods=["GET"])
@bp.arguments(ReceivablePlanArgs, location="query", as_kwargs=False)
@bp.response(200, ReceivablePlanOut)
def get_plan(args):
    """A contract's plan: each instalment with what it collected, what is
    open and whether it is overdue."""
    require("sales.payment.read")
    return plan_out(visible_record(Contract, args["contract_id"], current_user))


@bp.route("/contracts/<int:contract_id>/receivable-plan", methods=["PUT"])
@bp.doc(requestBody={"content": {"application/json": {"schema": plans.ReceivablePlanInput}}})
@bp.response(200, ReceivablePlanOut)
def put_plan(contract_id: int):
    """Replace the contract's plan: the amounts sum to the contract's
    amount; an instalment sent with its ``id`` is kept, one left out is
    removed (not one that collected money); ``version`` is the contract's."""
    require("sales.payment.write")
    contract = visible_record(Contract, contract_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    plans.set_plan(contract, payload.get("instalments"), current_user, version)
    return plan_out(contract)


@bp.route("/payments", methods=["GET"])
@bp.arguments(sorted_by(PaymentArgs, PAYMENT_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(PaymentOut, "PaymentPage"))
def list_payments(args):
    """The payments the caller may see, newest first; ``q`` finds a bank
    reference or a contract number."""
    require("sales.payment.read")
    query = visible_records(Payment, current_user).where(Payment.deleted_at.is_(None))
    for key in ("contract_id", "owner_id", "status"):
        if args.get(key):
            query = query.where(getattr(Payment, key) == args[key])
    if args.get("paid_from"):
        query = query.where(Payment.paid_on >= args["paid_from"])
    if args.get("paid_to"):
        query = query.where(Payment.paid_on <= args["paid_to"])
    if args.get("q"):
        query = query.where(
            text_contains(Payment.reference, args["q"])
            | Payment.contract_id.in_(
                select(Contract.id).where(text_contains(Contract.number, args["q"]))
            )
        )
    return paginate(query, args, PAYMENT_SORTS, "-paid_on")


@bp.route("/payments", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": payment_request()}}})
@bp.response(201, PaymentOut)
def create_payment():
    """Record a payment against an instalment of a signed or active
    contract. It comes back "confirmed" when no approval flow applies, else
    "pending" (it counts once approved). More than is open on the
    instalment is refused (422): split it over the instalments."""
    require("sales.payment.write")
    payload = json_body()
    contract_id = payload.pop("contract_id", None) if isinstance(payload, dict) else None
    if isinstance(contract_id, bool) or not isinstance(contract_id, int):
        raise ValidationError({"contract_id": [_("expected the id of a contract")]})
    contract = visible_record(Contract, contract_id, current_user)
    return payments.record_payment(contract, payload, current_user)


@bp.route("/payments/<int:payment_id>", methods=["GET"])
@bp.response(200, PaymentOut)
def get_payment(payment_id: int):
    require("sales.payment.read")
    return visible_record(Payment, payment_id, current_user)


@bp.route("/payments/<int:payment_id>/reverse", methods=["POST"])
@bp.arguments(ReverseInput, as_kwargs=False)
@bp.response(200, PaymentOut)
def reverse_payment(args, payment_id: int):
    """Reverse a confirmed payment (the money went back): it leaves the
    instalment's and the contract's sums; ``reason`` is required."""
    require("sales.payment.write")
    payment = visible_record(Payment, payment_id, current_user)
    return payments.reverse_payment(payment, args["reason"], current_user)


@bp.route("/collections", methods=["GET"])
@bp.arguments(sorted_by(CollectionListArgs, COLLECTION_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(CollectionRowOut, "CollectionPage"))
def list_collections(args):
    """The collection list: open instalments due before ``as_of`` (default
    today), oldest due first, for ``owner_id`` or everyone the caller sees;
    ``q`` finds the customer."""
    require("sales.payment.read")
    as_of = args.get("as_of") or today()
    query = collection_query(current_user, as_of, args.get("owner_id")).order_by(None)
    if args.get("q"):
        query = query.where(
            Instalment.customer_id.in_(
                select(Customer.id).where(search_match(Customer, args["q"], current_user))
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        ordered(query, args.get("sort"), COLLECTION_SORTS, "due_date")
        .options(joinedload(Instalment.customer), joinedload(Instalment.contract))
        .limit(args["per_page"])
        .offset((args["page"] - 1) * args["per_page"])
    ).all()
    items = []
    for instalment in rows:
        row = overdue_row(instalment, as_of)
        items.append(
            {
                "instalment_id": instalment.id,
                "contract_id": instalment.contract_id,
                "contract_number": row.contract_number,
                "number": instalment.number,
                "customer_id": instalment.customer_id,
                "customer_name": instalment.customer.name,
                "owner_id": instalment.owner_id,
                "due_date": instalment.due_date,
                "days_overdue": row.days_overdue,
                "amount": instalment.amount,
                "collected": instalment.collected,
                "open": row.open_amount,
                "currency": instalment.currency,
            }
        )
    return {"items": items, "page": args["page"], "per_page": args["per_page"], "total": total}
