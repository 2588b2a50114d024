"""Pipeline administration (``/sales/pipelines``): create a pipeline with its
ordered stages, rename stages and set their win probability."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.api import (
    NotFoundError,
    StaleVersionError,
    ValidationError,
    db,
    form_version,
    require,
    translator,
)

from ..models import Pipeline
from ..services import pipelines as pipeline_service
from .blueprint import bp

_, _l = translator("sales")


def stage_lines(text: str) -> list[dict]:
    """``Name = probability`` per line; the last two lines are the won and the
    lost stage."""
    stages = []
    for line in (ln for ln in text.splitlines() if ln.strip()):
        name, _sep, probability = line.rpartition("=") if "=" in line else (line, "", "")
        stages.append({"name": name.strip(), "probability": probability.strip() or None})
    for stage, outcome in zip(stages[-2:], ("won", "lost"), strict=False):
        stage["outcome"] = outcome
    return stages


@bp.route("/pipelines", methods=["GET", "POST"])
@login_required
def pipelines():
    require("sales.admin")
    values, errors = {}, {}
    if request.method == "POST":
        values = {"name": request.form.get("name", ""), "stages": request.form.get("stages", "")}
        try:
            pipeline = pipeline_service.create_pipeline(
                {"name": values["name"], "stages": stage_lines(values["stages"])}, current_user
            )
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash(_("Pipeline %(name)s created.", name=pipeline.name), "success")
            return redirect(url_for(".pipelines"))
    return render_template(
        "sales/pipelines.html", pipelines=pipeline_service.pipelines(), values=values, errors=errors
    ), 422 if errors else 200


@bp.route("/pipelines/<int:pipeline_id>", methods=["POST"])
@login_required
def edit_pipeline(pipeline_id: int):
    require("sales.admin")
    pipeline = db.session.get(Pipeline, pipeline_id)
    if pipeline is None:
        raise NotFoundError(_("pipeline %(id)s not found", id=pipeline_id))
    form = request.form
    payload = {
        "name": form.get("name", "").strip() or pipeline.name,
        "stages": [
            {
                "id": s.id,
                "name": form.get(f"stage-{s.id}-name", s.name).strip() or s.name,
                "probability": form.get(f"stage-{s.id}-probability", s.probability),
            }
            for s in pipeline.stages
        ],
    }
    try:
        pipeline_service.update_pipeline(pipeline, payload, current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this pipeline meanwhile; look again and retry."), "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for(".pipelines"))
