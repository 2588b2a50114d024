"""Commission as the API answers it — rules, lines, carrier statements
with their rows, agent statements, the leaderboard — and the query
arguments of its lists. Rates are fractions (0.25 = 25 %); months are
``YYYY-MM`` (the 1st of the month in answers)."""

from __future__ import annotations

import re
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate

from core.api import ListArgs, translator

from ..models.commission import LINE_KINDS, MATCHES

_, _l = translator("insurance")
_ID = validate.Range(1, 2**31 - 1)


class Month(fields.Field):
    """A month: ``YYYY-MM`` (or any day of it, ``YYYY-MM-DD``) → its 1st."""

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        found = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", str(value).strip())
        try:
            if found is None:
                raise ValueError
            return date(int(found[1]), int(found[2]), int(found[3] or 1)).replace(day=1)
        except ValueError:
            raise ValidationError(str(_l("give a month as YYYY-MM"))) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%Y-%m")


class CommissionRuleArgs(ListArgs):
    carrier_id = fields.Integer(validate=_ID)
    product_id = fields.Integer(validate=_ID)


class CommissionRuleOut(Schema):
    id = fields.Integer()
    carrier_id = fields.Integer()
    product_id = fields.Integer(allow_none=True)
    first_year_rate = fields.Decimal(as_string=True)
    renewal_rate = fields.Decimal(as_string=True)
    agent_share = fields.Decimal(as_string=True)
    leader_override = fields.Decimal(as_string=True)
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class CommissionLineArgs(ListArgs):
    month = Month(metadata={"description": "YYYY-MM"})
    agent_id = fields.Integer(validate=_ID)
    carrier_id = fields.Integer(validate=_ID)
    policy_id = fields.Integer(validate=_ID)
    kind = fields.String(validate=validate.OneOf(LINE_KINDS))


class CommissionLineOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(LINE_KINDS)})
    payment_id = fields.Integer(allow_none=True)
    policy_id = fields.Integer()
    term_no = fields.Integer()
    basis = fields.String()
    carrier_id = fields.Integer()
    product_id = fields.Integer()
    agent_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    month = Month()
    currency = fields.String()
    premium = fields.Decimal(as_string=True)
    rate = fields.Decimal(as_string=True)
    expected = fields.Decimal(as_string=True)
    agent_amount = fields.Decimal(as_string=True)
    statement_line_id = fields.Integer(allow_none=True)
    agent_statement_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class CarrierStatementArgs(ListArgs):
    carrier_id = fields.Integer(validate=_ID)
    month = Month(metadata={"description": "YYYY-MM"})


class CarrierStatementOut(Schema):
    id = fields.Integer()
    carrier_id = fields.Integer()
    month = Month()
    filename = fields.String()
    sha256 = fields.String()
    imported_by_id = fields.Integer(allow_none=True)
    rows = fields.Integer()
    currency = fields.String()
    received_total = fields.Decimal(as_string=True)
    expected_total = fields.Decimal(as_string=True)
    variance = fields.Function(
        lambda s: str(s.received_total - s.expected_total), metadata={"type": "string"}
    )
    matched = fields.Integer()
    unmatched = fields.Integer()
    created_at = fields.DateTime()


class CarrierStatementLineOut(Schema):
    id = fields.Integer()
    row_no = fields.Integer()
    policy_number = fields.String()
    policy_id = fields.Integer(allow_none=True)
    term_no = fields.Integer(allow_none=True)
    transaction_type = fields.String(allow_none=True)
    effective_on = fields.Date(allow_none=True)
    premium = fields.Decimal(as_string=True, allow_none=True)
    rate = fields.Decimal(as_string=True, allow_none=True)
    amount = fields.Decimal(as_string=True)
    status = fields.String(metadata={"enum": list(MATCHES)})
    expected = fields.Decimal(as_string=True, allow_none=True)
    variance = fields.Decimal(as_string=True, allow_none=True)


class CarrierStatementDetailOut(CarrierStatementOut):
    lines = fields.List(fields.Nested(CarrierStatementLineOut))


class CarrierStatementDetailArgs(Schema):
    status = fields.String(validate=validate.OneOf(MATCHES))


class AgentStatementArgs(ListArgs):
    month = Month(metadata={"description": "YYYY-MM"})
    agent_id = fields.Integer(validate=_ID)
    status = fields.String(validate=validate.OneOf(("draft", "issued")))


class AgentStatementOut(Schema):
    id = fields.Integer()
    agent_id = fields.Integer()
    team_id = fields.Integer(allow_none=True)
    month = Month()
    currency = fields.String()
    status = fields.String(metadata={"enum": ["draft", "issued"]})
    commission = fields.Decimal(as_string=True)
    overrides = fields.Decimal(as_string=True)
    clawbacks = fields.Decimal(as_string=True)
    total = fields.Decimal(as_string=True)
    issued_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class AgentStatementSubtotalOut(Schema):
    kind = fields.String(metadata={"enum": list(LINE_KINDS)})
    lines = fields.Integer()
    amount = fields.Decimal(as_string=True)


class AgentStatementDetailOut(AgentStatementOut):
    """A statement with its lines per kind, summed over all of them (a
    draft's: the open lines it would freeze); the lines themselves are a
    list of their own, ``agent-statements/{id}/lines``."""

    subtotals = fields.List(fields.Nested(AgentStatementSubtotalOut))


class AgentStatementLineArgs(ListArgs):
    kind = fields.String(validate=validate.OneOf(LINE_KINDS))


class VersionBody(Schema):
    version = fields.Integer(required=True, validate=_ID)


class LeaderboardArgs(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class StandingOut(Schema):
    rank = fields.Integer()
    agent_id = fields.Integer()
    name = fields.String()
    code = fields.String(allow_none=True)
    currency = fields.String()
    new_count = fields.Integer()
    ape = fields.Decimal(as_string=True)
    commission = fields.Decimal(as_string=True)


class LeaderboardOut(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    items = fields.List(fields.Nested(StandingOut))
