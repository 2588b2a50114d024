"""``/api/v1/sales/pipelines``: list, create and edit pipelines and their stages."""

from __future__ import annotations

from flask_login import current_user

from core.api import NotFoundError, db, expected_version, json_body, require, translator

from ..models import Pipeline
from ..schemas.pipelines import PipelineOut
from ..services import pipelines
from .blueprint import bp

_, _l = translator("sales")


@bp.route("/pipelines", methods=["GET"])
@bp.response(200, PipelineOut(many=True))
def list_pipelines():
    require("sales.deal.read")
    return pipelines.pipelines()


@bp.route("/pipelines", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": pipelines.PipelineInput}}})
@bp.response(201, PipelineOut)
def create_pipeline():
    """A pipeline with its ordered stages (exactly one won and one lost stage)."""
    require("sales.admin")
    return pipelines.create_pipeline(json_body(), current_user)


@bp.route("/pipelines/<int:pipeline_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": pipelines.PipelineChange}}})
@bp.response(200, PipelineOut)
def update_pipeline(pipeline_id: int):
    """Rename the pipeline or its stages, or change a stage's win probability
    (send the ``version`` you read; the order and the outcomes stay)."""
    require("sales.admin")
    pipeline = db.session.get(Pipeline, pipeline_id)
    if pipeline is None:
        raise NotFoundError(_("pipeline %(id)s not found", id=pipeline_id))
    payload = json_body()
    version = expected_version(payload)
    return pipelines.update_pipeline(pipeline, payload, current_user, version)
