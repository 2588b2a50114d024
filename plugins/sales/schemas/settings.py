"""The sales plugin's settings (``[plugins_settings.sales]`` in
``trellis.toml``): the patterns its numbered documents are numbered by.

Readers take the default themselves as well
(``plugin_settings("sales").get("contract_number", CONTRACT_NUMBER)``), so a
plugin loaded without settings still numbers its documents."""

from __future__ import annotations

import marshmallow
from marshmallow import Schema, fields

from core.api import ValidationError, check_number_pattern

#: 报价单 QT-202612-0001, 合同 HT-202612-0001: a counter per month
QUOTE_NUMBER = "QT-{yyyy}{mm}-{seq:04}"
CONTRACT_NUMBER = "HT-{yyyy}{mm}-{seq:04}"


def _number_pattern(value: str) -> None:
    """core's check of a number pattern, said as a marshmallow error."""
    try:
        check_number_pattern(value)
    except ValidationError as exc:
        raise marshmallow.ValidationError(exc.errors["pattern"]) from None


class SalesSettings(Schema):
    quote_number = fields.String(
        load_default=QUOTE_NUMBER,
        validate=_number_pattern,
        metadata={"description": "how quotes are numbered: {yyyy} {yy} {mm} {dd} {seq:04}"},
    )
    contract_number = fields.String(
        load_default=CONTRACT_NUMBER,
        validate=_number_pattern,
        metadata={"description": "how contracts are numbered: {yyyy} {yy} {mm} {dd} {seq:04}"},
    )
