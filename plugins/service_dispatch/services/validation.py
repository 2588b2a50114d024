"""Field types and validators the services' inputs share (orders, the
lifecycle's completion report, parts and stock): the layer under them all,
so none of them imports another for a validator."""

from __future__ import annotations

import numbers

from marshmallow import fields, validate


class Whole(fields.Integer):
    """A whole number of a JSON body, as the OpenAPI ``integer`` means it:
    ``12`` or ``12.0``; ``"12"``, ``12.5`` and ``true`` are refused. Web
    forms send numbers through ``core.forms.payload``."""

    def _validated(self, value: object) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, numbers.Integral):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def Id(**kwargs) -> fields.Integer:  # noqa: N802  (reads like a field)
    """A record id of a JSON body: a whole number from 1 to 2**31 - 1."""
    return Whole(validate=validate.Range(1, 2**31 - 1), **kwargs)
