"""Where the billing entries of a patient's timeline lead: a payment's
(``his_payment``) and a refund's (``his_refund``) to the receipt, for who
may read billing and sees the patient; without ``his.billing.read`` the
entries stay, without a link (core's ``trellis_timeline_links``)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.api import User, db

from ...models import PatientPayment, Refund
from .access import visible_billing

#: the timeline's link types this module answers for
LINK_TYPES = ("his_payment", "his_refund")


def receipt_links(
    link_type: str, ids: list[int], user: User | None
) -> dict[int, str | None] | None:
    """``{id: receipt url}`` for the payments or refunds ``user`` sees;
    None (entries left as they are) for another type or a user who may not
    read billing."""
    if link_type not in LINK_TYPES or user is None or not user.can("his.billing.read"):
        return None
    model = PatientPayment if link_type == "his_payment" else Refund
    column = PatientPayment.id if model is PatientPayment else Refund.payment_id
    rows = db.session.execute(
        visible_billing(model, user, select(model.id, column)).where(model.id.in_(ids))
    ).all()
    return {row[0]: url_for("his.receipt", receipt_id=row[1]) for row in rows}
