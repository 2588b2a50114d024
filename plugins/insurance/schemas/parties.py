"""What the persons', households' and cross-sell endpoints answer, and
their lists' query arguments. The inputs (``services.parties.InsurancePersonInput``,
``InsurancePersonChange``, ``services.households.HouseholdInput``,
``HouseholdChange``, ``MembersInput``) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import ID_TYPES, LINES, RELATIONS
from ..services.households import GAP_RULES

_ID = validate.Range(1, 2**31 - 1)
#: the OpenAPI type of a list of lines (a Function field declares none)
LINE_LIST = {"type": "array", "items": {"type": "string", "enum": list(LINES)}}


class InsurancePersonArgs(ListArgs):
    customer_id = fields.Integer(validate=_ID)
    household_id = fields.Integer(validate=_ID)
    national_id = fields.String(
        validate=validate.Length(max=40),
        metadata={"description": "the exact number (found through its look-up hash)"},
    )


class InsurancePersonOut(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    person_customer_id = fields.Integer(allow_none=True)
    household_id = fields.Integer(allow_none=True)
    name = fields.String()
    gender = fields.String(allow_none=True, metadata={"enum": ["f", "m"]})
    birth_date = fields.Date(allow_none=True)
    id_type = fields.String(allow_none=True, metadata={"enum": list(ID_TYPES)})
    national_id = fields.Function(
        lambda p: getattr(p, "shown_national_id", None),
        allow_none=True,
        metadata={
            "type": "string",
            "description": "masked (110***********1234) unless the reader holds "
            "insurance.pii.read and opened this one person (the reading is audited)",
        },
    )
    agent_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class HouseholdArgs(ListArgs):
    customer_id = fields.Integer(validate=_ID)


class MemberBrief(Schema):
    id = fields.Integer()
    name = fields.String()


class HouseholdOut(Schema):
    id = fields.Integer()
    name = fields.String()
    customer_id = fields.Integer()
    agent_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class HouseholdDetailOut(HouseholdOut):
    members = fields.List(fields.Nested(MemberBrief))


class HeldPolicyOut(Schema):
    policy_id = fields.Integer()
    number = fields.String(allow_none=True)
    line = fields.String(metadata={"enum": list(LINES)})
    status = fields.String()
    role = fields.String(metadata={"enum": ["insured", "holder", "household"]})


class CoverGapOut(Schema):
    code = fields.String(metadata={"enum": list(GAP_RULES)})
    label = fields.String()
    person_id = fields.Integer(allow_none=True)
    person_name = fields.String(allow_none=True)
    line = fields.String(
        metadata={"enum": list(LINES), "description": "the line a quote would fill"}
    )


class MemberCoverOut(Schema):
    person_id = fields.Integer()
    name = fields.String()
    relation = fields.String(allow_none=True, metadata={"enum": list(RELATIONS)})
    relation_label = fields.String()
    head = fields.Boolean()
    lines = fields.Function(lambda m: sorted(m.lines), metadata=LINE_LIST)
    policies = fields.List(fields.Nested(HeldPolicyOut))


class HouseholdCoverOut(Schema):
    household_id = fields.Integer()
    name = fields.String()
    customer_id = fields.Integer()
    lines = fields.Function(lambda c: sorted(c.lines), metadata=LINE_LIST)
    members = fields.List(fields.Nested(MemberCoverOut))
    shared = fields.List(
        fields.Nested(HeldPolicyOut), metadata={"description": "terms tied to the household alone"}
    )
    gaps = fields.List(fields.Nested(CoverGapOut))


class CrossSellArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class CrossSellOut(Schema):
    household_id = fields.Integer()
    name = fields.String()
    customer_id = fields.Integer()
    gap_count = fields.Function(lambda c: len(c.gaps), metadata={"type": "integer"})
    gaps = fields.List(fields.Nested(CoverGapOut))
