"""``/api/v1/service/customers-by-phone``: who is calling — the customers
with this phone (their own or a contact's) that the caller may see."""

from __future__ import annotations

from flask_login import current_user

from core.api import ValidationError, require, translator

from ..schemas.lookup import CustomerMatch, PhoneArgs
from ..services import public
from .blueprint import bp

_, _l = translator("service_dispatch")


@bp.route("/customers-by-phone", methods=["GET"])
@bp.arguments(PhoneArgs, location="query", as_kwargs=False)
@bp.response(200, CustomerMatch(many=True))
def customers_by_phone(args):
    """Visible customers with this phone, by name (none if it is not a phone number)."""
    require("service.order.write")
    try:
        return public.visible_customers_with_phone(args["phone"], current_user)
    except ValidationError:  # no customer has a phone that is not one (the page says so)
        return []
