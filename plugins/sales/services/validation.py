"""Field types and validators the sales inputs share (deals, products,
targets, commission rules): the layer under the services, so none of them
imports another for a validator."""

from __future__ import annotations

from decimal import Decimal

import marshmallow
from babel.numbers import list_currencies
from marshmallow import fields, validate

from core.api import translator

_, _l = translator("sales")
CURRENCIES = frozenset(list_currencies())
MAX_ID = 2**31 - 1


def known_currency(value: str) -> None:
    if value not in CURRENCIES:
        raise marshmallow.ValidationError(
            _("unknown currency; use an ISO 4217 code such as CNY or USD")
        )


def money_amount(value: Decimal) -> None:
    """Not negative, below a trillion, and never rounded behind the user's
    back: at most two decimal places."""
    if not value.is_finite() or value < 0 or value >= 10**12:
        raise marshmallow.ValidationError(_("must be from 0 to 999999999999.99"))
    if value.as_tuple().exponent < -2:
        raise marshmallow.ValidationError(_("use at most two decimal places"))


def Id(**kwargs) -> fields.Integer:  # noqa: N802  (reads like a field)
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)
