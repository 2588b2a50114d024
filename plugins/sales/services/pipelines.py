"""Pipelines (销售流程): create one with its ordered stages, rename it or its
stages and change their win probability — the order and the outcomes stay,
since deals and reports count on them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.api import (
    User,
    audit,
    check_version,
    db,
    load,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ..models import Pipeline, Stage
from .validation import Id

_, _l = translator("sales")


def pipelines() -> list[Pipeline]:
    return list(db.session.scalars(select(Pipeline).order_by(Pipeline.id)))


class StageInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    probability = fields.Integer(required=True, validate=validate.Range(0, 100))
    outcome = fields.String(load_default="open", validate=validate.OneOf(("open", "won", "lost")))


def _exactly_one(outcome: str) -> dict:
    """JSON Schema: exactly one stage of the list has ``outcome``."""
    return {
        "contains": {"required": ["outcome"], "properties": {"outcome": {"const": outcome}}},
        "minContains": 1,
        "maxContains": 1,
    }


class PipelineInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    stages = fields.List(
        fields.Nested(StageInput),
        required=True,
        validate=validate.Length(min=2, max=30),
        metadata={
            "description": "in order; exactly one won stage and one lost stage",
            "allOf": [_exactly_one("won"), _exactly_one("lost")],
        },
    )


def create_pipeline(payload: dict, actor: User | None) -> Pipeline:
    """A pipeline with its ordered stages; it needs a won stage and a lost one."""
    data = load(PipelineInput(), payload)
    outcomes = [s["outcome"] for s in data["stages"]]
    errors, taken = {}, {}
    if outcomes.count("won") != 1 or outcomes.count("lost") != 1:
        errors["stages"] = [_("a pipeline needs exactly one won stage and one lost stage")]
    if db.session.scalar(select(Pipeline.id).where(Pipeline.name == data["name"].strip())):
        taken["name"] = [_("a pipeline with this name exists")]
    refuse(errors, taken=taken)
    with transaction():
        pipeline = Pipeline(name=data["name"].strip())
        db.session.add(pipeline)
        db.session.flush()
        for position, stage in enumerate(data["stages"]):
            db.session.add(Stage(pipeline_id=pipeline.id, position=position, **stage))
        db.session.flush()
        audit(actor, pipeline, "create", None, {**snapshot(pipeline), "stages": data["stages"]})
    db.session.refresh(pipeline)
    return pipeline


class StageEdit(Schema):
    id = Id(required=True)
    name = fields.String(validate=validate.Length(min=1, max=80))
    probability = fields.Integer(validate=validate.Range(0, 100))


class PipelineChange(Schema):
    """What an edit may change: the names, and each stage's name and win
    probability. The order and the outcomes stay, since deals and reports
    count on them."""

    name = fields.String(validate=validate.Length(min=1, max=120))
    stages = fields.List(fields.Nested(StageEdit), validate=validate.Length(max=30))


def update_pipeline(
    pipeline: Pipeline, payload: dict, actor: User | None, expected_version: int | None = None
) -> Pipeline:
    data = load(PipelineChange(), payload)
    own = {s.id: s for s in pipeline.stages}
    missing = {
        f"stages.{i}.id": [_("no stage with this id in this pipeline")]
        for i, s in enumerate(data.get("stages", ()))
        if s["id"] not in own
    }
    taken = {}
    name = (data.get("name") or "").strip()
    if name and db.session.scalar(
        select(Pipeline.id).where(Pipeline.name == name, Pipeline.id != pipeline.id)
    ):
        taken["name"] = [_("a pipeline with this name exists")]
    refuse(missing=missing, taken=taken)
    check_version(pipeline, expected_version)
    with transaction():
        before = {**snapshot(pipeline), "stages": _stages(pipeline)}
        if name:
            pipeline.name = name
        for change in data.get("stages", ()):
            stage = own[change["id"]]
            stage.name = change.get("name", stage.name).strip() or stage.name
            stage.probability = change.get("probability", stage.probability)
        pipeline.updated_at = utcnow()  # a stage edit is an edit of the pipeline
        db.session.flush()
        audit(
            actor, pipeline, "update", before, {**snapshot(pipeline), "stages": _stages(pipeline)}
        )
    return pipeline


def _stages(pipeline: Pipeline) -> list[dict]:
    return [
        {"id": s.id, "name": s.name, "probability": s.probability, "outcome": s.outcome}
        for s in pipeline.stages
    ]
