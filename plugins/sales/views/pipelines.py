"""Pipeline administration (``/sales/pipelines``): create a pipeline with its
ordered stages, rename stages and set their win probability."""

from __future__ import annotations

import re

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


#: open stages a new pipeline's form offers rows for (empty rows are left out)
OPEN_ROWS = 6
#: what the form offers before anything is typed: open stages, then won and lost
SUGGESTED = ((_l("Qualification"), 10), (_l("Proposal"), 50), (_l("Negotiation"), 75))


def stage_rows(form) -> list[dict]:
    """A new pipeline's stages from the form's rows: each filled open stage
    (``open-<n>-name``, ``open-<n>-probability``) in order, then the won
    stage (100 %) and the lost stage (0 %)."""
    stages = []
    for n in range(OPEN_ROWS):
        name = form.get(f"open-{n}-name", "").strip()
        probability = form.get(f"open-{n}-probability", "").strip()
        if name or probability:
            stages.append({"name": name, "probability": probability or None, "row": n})
    stages.append({"name": form.get("won-name", "").strip(), "probability": 100, "outcome": "won"})
    stages.append({"name": form.get("lost-name", "").strip(), "probability": 0, "outcome": "lost"})
    return stages


def row_errors(stages: list[dict], errors: dict) -> dict:
    """The service's errors about single stages (``"<index>: <field>: <message>"``
    under ``stages``) by the form field they belong to; the rest stay."""
    fields: dict[str, list[str]] = {}
    rest = []
    for message in errors.get("stages", []):
        found = re.match(r"(\d+): (name|probability): (.*)", message)
        if found is None or int(found.group(1)) >= len(stages):
            rest.append(message)
            continue
        stage = stages[int(found.group(1))]
        row = f"open-{stage['row']}" if "row" in stage else stage["outcome"]
        fields.setdefault(f"{row}-{found.group(2)}", []).append(found.group(3))
    return {**{k: v for k, v in errors.items() if k != "stages"}, **fields} | (
        {"stages": rest} if rest else {}
    )


@bp.route("/pipelines", methods=["GET", "POST"])
@login_required
def pipelines():
    require("sales.admin")
    values: dict = {}
    errors: dict = {}
    if request.method == "POST":
        values = request.form.to_dict()
        stages = stage_rows(request.form)
        payload = [{k: v for k, v in s.items() if k != "row"} for s in stages]
        try:
            pipeline = pipeline_service.create_pipeline(
                {"name": values.get("name", ""), "stages": payload}, current_user
            )
        except ValidationError as exc:
            db.session.rollback()
            errors = row_errors(stages, exc.errors)
        else:
            flash(_("Pipeline %(name)s created.", name=pipeline.name), "success")
            return redirect(url_for(".pipelines"))
    else:
        values = {f"open-{n}-name": str(name) for n, (name, _p) in enumerate(SUGGESTED)}
        values |= {f"open-{n}-probability": p for n, (_name, p) in enumerate(SUGGESTED)}
        values |= {"won-name": _("Won"), "lost-name": _("Lost")}
    return render_template(
        "sales/pipelines.html",
        pipelines=pipeline_service.pipelines(),
        values=values,
        errors=errors,
        open_rows=range(OPEN_ROWS),
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
