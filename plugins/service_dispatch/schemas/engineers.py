"""An engineer as the API shows them, with their open orders."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..services import dispatch


class EngineerOut(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    name = fields.Function(lambda e: e.user.name, dump_only=True)
    skills = fields.List(fields.String())
    regions = fields.List(fields.String())
    active = fields.Boolean()
    workload = fields.Function(
        lambda e: dispatch.workloads([e.user_id]).get(e.user_id, 0), dump_only=True
    )
    version = fields.Integer()
