"""``/api/v1/insurance``: premiums — a term's instalments, the instalments
list (open, overdue, or of terms in grace: the team's chase list), payments,
recording one and reversing one.

Access goes through ``services/access.py``: an agent sees their own, a
manager their team's; a policy or a payment out of scope is a 404. Reading
needs ``insurance.policy.read``, paying and reversing ``insurance.policy.pay``.
"""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import Amount, ListArgs, page_schema, paginate, require, sorted_by, visible_record

from ..models import PAYMENT_METHODS, Policy, PremiumInstalment, PremiumPayment
from ..services.access import OWNER, visible_instalments, visible_payments, visible_policy
from ..services.premiums import payments
from ..services.premiums.queries import (
    INSTALMENT_STATES,
    instalment_state,
    list_sorts,
    narrow_instalments,
)
from ..services.terms import today
from .blueprint import bp

_ID = validate.Range(1, 2**31 - 1)
INSTALMENT_SORTS = {
    "due_on": PremiumInstalment.due_on,
    "seq": PremiumInstalment.seq,
    "amount": PremiumInstalment.amount,
}
PAYMENT_SORTS = {"paid_on": PremiumPayment.paid_on, "amount": PremiumPayment.amount}


class InsuranceInstalmentArgs(ListArgs):
    status = fields.String(
        validate=validate.OneOf(("open", "overdue", "grace")),
        metadata={
            "description": "open: not settled; overdue: not settled and due before today; "
            "grace: overdue on a term in its grace period"
        },
    )
    policy_id = fields.Integer(validate=_ID)
    customer_id = fields.Integer(validate=_ID)
    agent_id = fields.Integer(validate=_ID)


class InsuranceInstalmentOut(Schema):
    id = fields.Integer()
    policy_id = fields.Integer()
    policy_number = fields.Function(lambda i: i.policy.display_number)
    policy_status = fields.Function(lambda i: i.policy.status)
    grace_ends_on = fields.Function(
        lambda i: i.policy.grace_ends_on.isoformat() if i.policy.grace_ends_on else None
    )
    seq = fields.Integer()
    due_on = fields.Date()
    amount = fields.Decimal(as_string=True)
    paid = fields.Decimal(as_string=True)
    settled_on = fields.Date(allow_none=True)
    status = fields.Function(
        lambda i: instalment_state(i, today()), metadata={"enum": list(INSTALMENT_STATES)}
    )
    currency = fields.String()
    customer_id = fields.Integer()
    agent_id = fields.Integer(allow_none=True)
    version = fields.Integer()


INSTALMENT_PAGE = page_schema(InsuranceInstalmentOut, "InsuranceInstalmentPage")


class InsurancePaymentArgs(ListArgs):
    policy_id = fields.Integer(validate=_ID)
    customer_id = fields.Integer(validate=_ID)


class InsurancePaymentOut(Schema):
    id = fields.Integer()
    policy_id = fields.Integer()
    instalment_id = fields.Integer(allow_none=True)
    amount = fields.Decimal(as_string=True)
    paid_on = fields.Date()
    method = fields.String(metadata={"enum": list(PAYMENT_METHODS)})
    reference = fields.String(allow_none=True)
    received_by_id = fields.Integer(allow_none=True)
    reversed_at = fields.DateTime(allow_none=True)
    reversal_reason = fields.String(allow_none=True)
    currency = fields.String()
    customer_id = fields.Integer()
    agent_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer()


class InsurancePaymentBody(Schema):
    """A payment: on the instalment named, else the oldest open; ``version``
    is the instalment's as read (a second payment on the same read is a 409)."""

    policy_id = fields.Integer(required=True, validate=_ID)
    amount = Amount(positive=True, required=True)
    paid_on = fields.Date(load_default=None, allow_none=True)
    method = fields.String(load_default="bank_transfer", validate=validate.OneOf(PAYMENT_METHODS))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    instalment_id = fields.Integer(load_default=None, allow_none=True, validate=_ID)
    version = fields.Integer(load_default=None, allow_none=True, validate=_ID)


class InsurancePaymentReverseBody(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))
    version = fields.Integer(required=True, validate=_ID)


@bp.route("/policies/<int:policy_id>/instalments", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, INSTALMENT_SORTS), location="query", as_kwargs=False)
@bp.response(200, INSTALMENT_PAGE)
def policy_instalments(args, policy_id: int):
    """The term's instalments in order, each with what is paid and its
    status (open, overdue, settled)."""
    require("insurance.policy.read")
    policy = visible_policy(policy_id, current_user)
    query = select(PremiumInstalment).where(PremiumInstalment.policy_id == policy.id)
    return paginate(
        query.options(joinedload(PremiumInstalment.policy)), args, INSTALMENT_SORTS, "seq"
    )


@bp.route("/instalments", methods=["GET"])
@bp.arguments(
    sorted_by(InsuranceInstalmentArgs, INSTALMENT_SORTS), location="query", as_kwargs=False
)
@bp.response(200, INSTALMENT_PAGE)
def list_instalments(args):
    """Instalments in the caller's scope, oldest due first: ``status=open``,
    ``overdue`` (due before today, unpaid) or ``grace`` (overdue on a term in
    its grace period); by policy, customer or agent."""
    require("insurance.policy.read")
    query = narrow_instalments(visible_instalments(current_user), args, today(), current_user)
    sortable = list_sorts(INSTALMENT_SORTS, args)  # the grace list: read from the terms
    return paginate(query.options(joinedload(PremiumInstalment.policy)), args, sortable, "due_on")


@bp.route("/payments", methods=["GET"])
@bp.arguments(sorted_by(InsurancePaymentArgs, PAYMENT_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(InsurancePaymentOut, "InsurancePaymentPage"))
def list_payments(args):
    """Payments in the caller's scope, newest first (refunds are negative;
    a reversed one has ``reversed_at``); by policy or customer."""
    require("insurance.policy.read")
    query = visible_payments(current_user)
    for key in ("policy_id", "customer_id"):
        if args.get(key):
            query = query.where(getattr(PremiumPayment, key) == args[key])
    return paginate(query, args, PAYMENT_SORTS, "-paid_on")


@bp.route("/payments", methods=["POST"])
@bp.arguments(InsurancePaymentBody, as_kwargs=False)
@bp.response(201, InsurancePaymentOut)
def create_payment(args):
    """Record a premium payment on a term in force or in grace (422
    ``policy_id`` otherwise: a lapsed term is reinstated), at most what is due
    on the instalment (422 ``amount``); a bank ``reference`` once per policy
    (409); a stale instalment ``version`` is a 409 and writes nothing."""
    require("insurance.policy.pay")
    policy: Policy = visible_policy(args["policy_id"], current_user)
    return payments.record_payment(
        policy,
        current_user,
        args["amount"],
        args["paid_on"],
        args["method"],
        args["reference"],
        args["instalment_id"],
        args["version"],
    )


@bp.route("/payments/<int:payment_id>/reverse", methods=["POST"])
@bp.arguments(InsurancePaymentReverseBody, as_kwargs=False)
@bp.response(200, InsurancePaymentOut)
def reverse_payment(args, payment_id: int):
    """Reverse a payment (a reason is required): its instalment opens
    again and its commission is cancelled; the ``version`` read (409 when stale)."""
    require("insurance.policy.pay")
    payment = visible_record(PremiumPayment, payment_id, current_user, **OWNER)
    return payments.reverse_payment(payment, current_user, args["reason"], args["version"])
