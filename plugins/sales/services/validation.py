"""Field types and validators the sales inputs share (deals, products,
targets, commission rules): the layer under the services, so none of them
imports another for a validator.

Each rule a JSON Schema can say is said by the field itself, so that the
OpenAPI document carries it: money, quantities and percentages travel as
strings matching a ``pattern`` (a number is refused), currencies are an
``enum``, months a ``pattern``."""

from __future__ import annotations

import re

import marshmallow
from babel.numbers import list_currencies
from marshmallow import fields, validate

from core.api import Amount, instance_currency, translator

_, _l = translator("sales")
CURRENCIES = frozenset(list_currencies())
MAX_ID = 2**31 - 1

#: the sales money columns are Numeric(14, 2): 0 to 999999999999.99
MONEY_PATTERN = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$"
#: 0 to 100, at most two decimal places
PERCENT_PATTERN = r"^(100(\.0{1,2})?|[1-9]?[0-9](\.[0-9]{1,2})?)$"
#: above 0 and below 1000000000, at most three decimal places
QUANTITY_PATTERN = r"^([1-9][0-9]{0,8}(\.[0-9]{1,3})?|0\.([1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9]))$"
#: a month written YYYY-MM, years 1970 to 9998
MONTH_PATTERN = (
    r"^(19[7-9][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(0[1-9]|1[0-2])$"
)


class _KnownCurrency(validate.OneOf):
    def _format_error(self, value) -> str:
        return _("unknown currency; use an ISO 4217 code such as CNY or USD")


def Currency(**kwargs) -> fields.String:  # noqa: N802  (reads like a field)
    """An ISO 4217 code babel knows, documented as the ``enum`` it is."""
    return fields.String(validate=_KnownCurrency(sorted(CURRENCIES)), **kwargs)


def DefaultCurrency() -> fields.String:  # noqa: N802  (reads like a field)
    """A :func:`Currency` that, left out, is the instance's (``TRELLIS_CURRENCY``),
    read when the input is loaded."""
    return Currency(
        load_default=instance_currency,
        metadata={"description": "ISO 4217 code; left out: the instance's currency"},
    )


class Money(Amount):
    """core's ``Amount`` over the range of the sales money columns
    (0 to 999999999999.99, two places at most), the pattern documented."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pattern = MONEY_PATTERN  # Amount checks the whole value against it


class PatternDecimal(fields.Decimal):
    """A decimal sent as a string matching ``pattern`` (a number, or another
    string, is refused with ``message``); the OpenAPI document shows the pattern."""

    def __init__(self, pattern: str, message, **kwargs) -> None:
        super().__init__(as_string=True, **kwargs)
        self.pattern, self.message = pattern, message

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or re.fullmatch(self.pattern, value) is None:
            raise marshmallow.ValidationError(str(self.message))
        return super()._deserialize(value, attr, data, **kwargs)


def Percent(**kwargs) -> PatternDecimal:  # noqa: N802  (reads like a field)
    return PatternDecimal(
        PERCENT_PATTERN,
        _l("give a percentage from 0 to 100 such as 12.5, with at most two decimal places"),
        **kwargs,
    )


def Quantity(**kwargs) -> PatternDecimal:  # noqa: N802  (reads like a field)
    return PatternDecimal(
        QUANTITY_PATTERN,
        _l("give a quantity above 0 such as 2 or 1.5, with at most three decimal places"),
        **kwargs,
    )


def month_value(value: str) -> None:
    """A month written ``YYYY-MM``, years 1970 to 9998 (``MONTH_PATTERN``)."""
    if not isinstance(value, str) or re.fullmatch(MONTH_PATTERN, value) is None:
        raise marshmallow.ValidationError(_("use a month written YYYY-MM, such as 2026-03"))


def Month(**kwargs) -> fields.String:  # noqa: N802  (reads like a field)
    """A ``YYYY-MM`` month, its pattern documented."""
    metadata = {"pattern": MONTH_PATTERN, **kwargs.pop("metadata", {})}
    return fields.String(validate=month_value, metadata=metadata, **kwargs)


def one_of(*names: str) -> dict:
    """JSON Schema: exactly one of the ids ``names`` is given (not null) — a
    rule across fields, for the OpenAPI document (the services check it)."""
    return {
        "oneOf": [{"required": [name], "properties": {name: {"type": "integer"}}} for name in names]
    }


def json_body(schema, **rules) -> dict:
    """An OpenAPI request body: ``schema`` plus the JSON Schema ``rules``
    across its fields that a marshmallow field cannot carry."""
    return {"content": {"application/json": {"schema": {"allOf": [schema], **rules}}}}


def Id(**kwargs) -> fields.Integer:  # noqa: N802  (reads like a field)
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)
