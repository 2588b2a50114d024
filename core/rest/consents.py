"""``/api/v1/customers/<id>/consents``: a customer's decisions on being
contacted per channel and purpose — the history, recording a new one, and
sending the confirmation e-mail of a grant awaiting it (double opt-in)
again."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core import consents
from core.rest.auth import require
from core.rest.customers import body, visible

bp = Blueprint("api_consents", __name__, description="Consent per channel and purpose")


class ConsentOut(Schema):
    id = fields.Integer(required=True)
    customer_id = fields.Integer(required=True)
    channel = fields.String(required=True)
    purpose = fields.String(required=True)
    status = fields.String(required=True)
    source = fields.String(required=True)
    decided_at = fields.DateTime(required=True)
    note = fields.String(allow_none=True)
    recorded_by_id = fields.Integer(allow_none=True)


class ConsentConfirmationIn(Schema):
    channel = fields.String(load_default="email", validate=validate.OneOf(list(consents.CHANNELS)))
    purpose = fields.String(
        load_default="marketing", validate=validate.OneOf(list(consents.PURPOSES))
    )


class ConsentConfirmationOut(Schema):
    email = fields.String(required=True)
    sent_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)


@bp.route("/<int:customer_id>/consents", methods=["GET"])
@bp.response(200, ConsentOut(many=True))
def list_consents(customer_id: int):
    """Every decision of the customer, newest first: the first of each
    (channel, purpose) holds (``pending``: awaiting the customer's
    confirmation, not a yes). With none, service yes, marketing and research no."""
    require("customer.read")
    return consents.consents_of(visible(customer_id).id)


@bp.route("/<int:customer_id>/consents", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": consents.ConsentInput}}})
@bp.response(201, ConsentOut)
def record_consent(customer_id: int):
    """Record a decision (granted or withdrawn); earlier ones stay as history.
    A grant of marketing by e-mail is answered with status ``pending`` and a
    confirmation e-mail is sent: it holds once the customer confirms it (a
    customer without an e-mail address: 422 naming ``channel``)."""
    require("customer.write")
    return consents.record_consent(visible(customer_id), body(), current_user)


@bp.route("/<int:customer_id>/consents/confirmation", methods=["POST"])
@bp.arguments(ConsentConfirmationIn)
@bp.response(201, ConsentConfirmationOut)
def send_confirmation_again(data: dict, customer_id: int):
    """Send the confirmation e-mail of the grant awaiting it again (a new
    link). Nothing awaiting confirmation, or one sent minutes ago: 409."""
    require("customer.write")
    return consents.send_again(visible(customer_id), current_user, data["channel"], data["purpose"])
