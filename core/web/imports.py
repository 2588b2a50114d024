"""Customers → Import (``/imports``, ``customer.import``): upload a file for
a target, map its columns (suggested, or a saved mapping), preview what
would happen row by row, run it — the progress reloads every 2 seconds —
download the rows that failed, and undo the whole import.

The pages call the same service functions as ``/api/v1/imports``; a user
sees their own imports (everyone's with the "all" scope), another's is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from core import imports as service
from core.errors import NotFoundError, TrellisError, ValidationError
from core.extensions import db
from core.forms import list_page
from core.i18n import _, _l
from core.imports.batches import items_count
from core.imports.files import max_bytes
from core.imports.mapping import saved_mappings
from core.models import ImportJob
from core.models.imports import DUPLICATE_ACTIONS
from core.rest.auth import require
from core.rest.imports import error_file, job_of, jobs_of, targets_for

bp = Blueprint("imports", __name__, url_prefix="/imports")
PER_PAGE = 50
STATUS_LABELS = {
    "uploaded": _l("Uploaded"),
    "mapped": _l("Mapped"),
    "queued": _l("Waiting"),
    "running": _l("Importing"),
    "done": _l("Done"),
    "failed": _l("Failed"),
    "undoing": _l("Undoing"),
    "undone": _l("Undone"),
}
STATUS_TONES = {
    **{"done": "ok", "failed": "bad", "running": "warn", "queued": "info"},
    **{"undoing": "warn", "undone": ""},
}
ACTION_LABELS = {
    "create": _l("Create a new record"),
    "update": _l("Update the existing record"),
    "skip": _l("Skip the row"),
    "error": _l("Error"),
}


def _job(import_id: int) -> ImportJob:
    try:
        return job_of(import_id, current_user)
    except NotFoundError:
        abort(404)


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """The user's imports, newest first, and the upload form."""
    require(service.IMPORT)
    targets = targets_for(current_user)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise ValidationError({"file": [_("choose a file")]})
            job = service.upload(
                upload.stream.read(max_bytes() + 1),
                upload.filename,
                request.form.get("target", ""),
                current_user,
            )
        except ValidationError as exc:
            db.session.rollback()
            errors, status = exc.errors, exc.status
        else:
            return redirect(url_for(".job", import_id=job.id))
    page = list_page()
    rows = list(
        db.session.scalars(
            jobs_of(current_user)
            .order_by(ImportJob.id.desc())
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE + 1)
        )
    )
    return render_template(
        "core/imports/index.html",
        jobs=rows[:PER_PAGE],
        more=len(rows) > PER_PAGE,
        page=page,
        targets=targets,
        target_labels={t["name"]: t["label"] for t in targets},
        errors=errors,
        statuses=STATUS_LABELS,
        tones=STATUS_TONES,
        max_mb=max_bytes() // (1024 * 1024),
    ), status


def mapping_payload(form: MultiDict[str, str], job: ImportJob) -> dict[str, Any]:
    """The mapping form as ``configure`` reads it (``map-<n>`` per column)."""
    payload: dict[str, Any] = {
        "mapping": {column: form.get(f"map-{i}", "") for i, column in enumerate(job.columns)},
        "on_duplicate": form.get("on_duplicate", job.on_duplicate),
    }
    if form.get("mapping_name"):
        payload = {"mapping_name": form["mapping_name"], "on_duplicate": payload["on_duplicate"]}
    if form.get("save_as", "").strip():
        payload["save_as"] = form["save_as"].strip()
    return payload


@bp.route("/<int:import_id>", methods=["GET", "POST"])
@login_required
def job(import_id: int):
    """An import: the mapping form before it runs, the preview on demand,
    then its progress and results."""
    require(service.IMPORT)
    found = _job(import_id)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            service.configure(found, mapping_payload(request.form, found), current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors, status = exc.errors, exc.status
        else:
            flash(_("The mapping is saved; check the preview, then start the import."), "success")
            return redirect(url_for(".job", import_id=found.id, preview=1))
    preview = None
    if request.args.get("preview") and found.status in ("uploaded", "mapped") and not errors:
        try:
            preview = service.preview(found, current_user)
        except ValidationError as exc:
            errors = exc.errors
    fields: list[dict[str, Any]] = next(
        (t["fields"] for t in targets_for(current_user) if t["name"] == found.target), []
    )
    return render_template(
        "core/imports/job.html",
        job=found,
        fields=fields,
        saved=saved_mappings(found.target),
        errors=errors,
        preview=preview,
        statuses=STATUS_LABELS,
        tones=STATUS_TONES,
        actions=ACTION_LABELS,
        duplicate_actions=DUPLICATE_ACTIONS,
        written=items_count(found),
    ), status


@bp.route("/<int:import_id>/progress")
@login_required
def progress(import_id: int):
    """The progress panel alone (htmx reloads it every 2 s while the import runs)."""
    require(service.IMPORT)
    job = _job(import_id)
    response = make_response(
        render_template(
            "core/imports/_progress.html", job=job, statuses=STATUS_LABELS, tones=STATUS_TONES
        )
    )
    if request.args.get("was") == "undoing" and job.status != "undoing":
        response.headers["HX-Refresh"] = "true"  # undone, or refused: the whole page changes
    return response


@bp.route("/<int:import_id>/run", methods=["POST"])
@login_required
def run(import_id: int):
    require(service.IMPORT)
    found = _job(import_id)
    lines = {
        key.removeprefix("line-"): value
        for key, value in request.form.items()
        if key.startswith("line-") and value
    }
    try:
        if lines:  # the actions chosen in the preview for single matching rows
            service.configure(found, {"line_actions": lines}, current_user)
        service.start(found, current_user)
    except TrellisError as exc:
        db.session.rollback()
        flash(_message(exc), "error")
    return redirect(url_for(".job", import_id=import_id))


@bp.route("/<int:import_id>/undo", methods=["POST"])
@login_required
def undo(import_id: int):
    require(service.IMPORT)
    try:
        job = service.undo(_job(import_id), current_user)
    except TrellisError as exc:
        db.session.rollback()
        flash(_message(exc), "error")
    else:
        if job.status == "undone":
            flash(_("The import is undone."), "success")
        elif job.status == "undoing":
            flash(_("The import is being undone; this page shows when it is done."), "info")
        else:  # refused when it ran (the job ran at once)
            flash(job.undo_error or _("The import could not be undone."), "error")
    return redirect(url_for(".job", import_id=import_id))


@bp.route("/<int:import_id>/errors.csv")
@login_required
def errors(import_id: int):
    """The rows that failed, as CSV with an ``error`` column."""
    require(service.IMPORT)
    return error_file(_job(import_id))


def _message(exc: TrellisError) -> str:
    found = getattr(exc, "errors", None)
    if isinstance(found, dict) and found:
        return " ".join(m for messages in found.values() for m in messages)
    return str(exc)
