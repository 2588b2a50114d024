"""``/api/v1/service/customers-by-phone``: who is calling — the customers
with this phone (their own or a contact's) that the caller may see."""

from __future__ import annotations

from flask_login import current_user

from core.api import require, translator

from ..schemas.lookup import CustomerMatch, PhoneArgs
from ..services import public
from .blueprint import bp

_, _l = translator("service_dispatch")


@bp.route("/customers-by-phone", methods=["GET"])
@bp.arguments(PhoneArgs, location="query", as_kwargs=False)
@bp.response(200, CustomerMatch(many=True))
def customers_by_phone(args):
    """Visible customers with this phone, by name (422 naming ``phone`` if it is not one)."""
    require("service.order.write")
    return public.visible_customers_with_phone(args["phone"], current_user)
