"""Field types and validators the services' inputs share (orders, the
lifecycle's completion report, parts and stock): the layer under them all,
so none of them imports another for a validator."""

from __future__ import annotations

from decimal import Decimal

import marshmallow
from marshmallow import fields, validate

from core.api import translator

_, _l = translator("service_dispatch")


def Id(**kwargs) -> fields.Integer:  # noqa: N802  (reads like a field)
    return fields.Integer(validate=validate.Range(1, 2**31 - 1), **kwargs)


def not_negative_money(value: Decimal) -> None:
    """0 or more, fits Numeric(12, 2), and never rounded behind the user's back."""
    if not value.is_finite() or value < 0 or value >= Decimal("10000000000"):
        raise marshmallow.ValidationError(_("must be from 0 to 9999999999.99"))
    if value.as_tuple().exponent < -2:
        raise marshmallow.ValidationError(_("use at most two decimal places"))
