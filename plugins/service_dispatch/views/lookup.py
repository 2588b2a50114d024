"""Phone lookup for agents (来电查询): a caller's number finds the customers
the agent may see, each with a link to open a work order for them."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from core.api import ValidationError, require, translator

from ..services import public
from ..services.orders import site_of
from .blueprint import bp

_, _l = translator("service_dispatch")


@bp.route("/lookup")
@login_required
def lookup():
    require("service.order.write")
    phone = (request.args.get("phone") or "").strip()
    customers, errors = [], {}
    if phone:
        try:
            customers = public.visible_customers_with_phone(phone, current_user)
        except ValidationError as exc:
            errors = exc.errors
    return render_template(
        "service_dispatch/lookup.html",
        phone=phone,
        customers=customers,
        sites={c.id: site_of(c, current_user) for c in customers},
        errors=errors,
    ), 422 if errors else 200
