"""What ``/api/v1/sales/pipelines`` answers: a pipeline with its ordered stages."""

from __future__ import annotations

from marshmallow import Schema, fields


class StageOut(Schema):
    id = fields.Integer()
    name = fields.String()
    position = fields.Integer()
    probability = fields.Integer()
    outcome = fields.String()


class PipelineOut(Schema):
    id = fields.Integer()
    name = fields.String()
    version = fields.Integer()
    stages = fields.List(fields.Nested(StageOut))
