"""Imports under ``/api/v1/imports`` (``customer.import``): the targets and
their fields, upload (multipart ``file`` + ``target``), the mapping step,
the preview, the run on the job queue with its progress, undo, the error
file (CSV with an ``error`` column), and the saved mappings.

A user sees the imports they started; a user whose scope is "all" sees
everyone's. Another's import is a 404, as if it did not exist."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core import imports as service
from core.access import sees_all
from core.errors import ForbiddenError, NotFoundError, ValidationError
from core.extensions import db
from core.i18n import _
from core.imports.batches import ConfigureInput, error_rows
from core.imports.files import max_bytes
from core.imports.mapping import MappingInput, required_fields, save_mapping, saved_mappings
from core.models import ImportJob, ImportMapping, User
from core.rest.auth import require
from core.rest.customers import body
from core.rest.exports import cell
from core.rest.lists import ListArgs, page_schema, paginate, sorted_by
from core.rest.openapi import field_rules

bp = Blueprint("api_imports", __name__, description="Imports: files in, mapped, deduped, undone")
IMPORT = service.IMPORT
JOB_SORT = {"created_at": ImportJob.created_at, "status": ImportJob.status}
MULTIPART = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "target"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "CSV (UTF-8, GBK, GB18030 … detected), XLSX or vCard; "
                        "at most 200 columns and TRELLIS_IMPORT_MAX_MB (50) MB",
                    },
                    "target": {"type": "string", "description": "customers, contacts, …"},
                },
            }
        }
    }
}


class ImportFieldOut(Schema):
    name = fields.String()
    label = fields.String()
    required = fields.Boolean()


class ImportTargetOut(Schema):
    name = fields.String()
    label = fields.String()
    field_list = fields.List(fields.Nested(ImportFieldOut), data_key="fields", attribute="fields")


class ImportJobOut(Schema):
    id = fields.Integer(required=True)
    target = fields.String()
    filename = fields.String()
    file_kind = fields.String()
    size = fields.Integer()
    encoding = fields.String(allow_none=True)
    columns = fields.List(fields.String())
    total_rows = fields.Integer()
    mapping = fields.Dict(keys=fields.String(), values=fields.String())
    on_duplicate = fields.String()
    line_actions = fields.Dict(keys=fields.String(), values=fields.String())
    status = fields.String()
    processed = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    skipped = fields.Integer()
    failed = fields.Integer()
    error = fields.String(allow_none=True)
    created_by_id = fields.Integer()
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    undone_at = fields.DateTime(allow_none=True)
    undo_error = fields.String(
        allow_none=True, metadata={"description": "why the last undo was refused when it ran"}
    )


class ImportPreviewRowOut(Schema):
    line = fields.Integer()
    cells = fields.List(fields.String(allow_none=True))
    action = fields.String(metadata={"description": "create, update, skip or error"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    match_id = fields.Integer(
        allow_none=True,
        metadata={"description": "the existing record matched (only one you may see is a match)"},
    )
    repeats = fields.Integer(
        allow_none=True, metadata={"description": "the earlier line of the file it repeats"}
    )


class ImportPreviewOut(Schema):
    total = fields.Integer()
    errors = fields.Integer()
    matches = fields.Integer()
    repeats = fields.Integer()
    actions = fields.Dict(keys=fields.String(), values=fields.Integer())
    rows = fields.List(fields.Nested(ImportPreviewRowOut))


class ImportMappingOut(Schema):
    id = fields.Integer()
    target = fields.String()
    name = fields.String()
    mapping = fields.Dict(keys=fields.String(), values=fields.String())


class ImportMappingArgs(Schema):
    target = fields.String(required=True, validate=validate.Length(min=1, max=60))


#: the targets are the enabled plugins' (``trellis_importers``), so not an enum of the document
TARGET_RULE = field_rules(
    (("target",), "an import target the caller may use (GET /api/v1/imports/targets)")
)


def targets_for(user: User) -> list[dict[str, Any]]:
    """The targets ``user`` may import into, with their fields."""
    found = []
    for importer in sorted(service.importers().values(), key=lambda i: (i.order, i.name)):
        if not service.may_import(user, importer):
            continue
        required = set(required_fields(importer))
        found.append(
            {
                "name": importer.name,
                "label": str(importer.label),
                "fields": [
                    {"name": name, "label": str(label), "required": name in required}
                    for name, label in importer.fields.items()
                ],
            }
        )
    return found


def importer_for(target: str) -> service.Importer:
    importer = service.importer_of(target)
    if not service.may_import(current_user, importer):
        raise ForbiddenError(_("You may not import into %(target)s.", target=target))
    return importer


def job_of(job_id: int, user: User) -> ImportJob:
    """The import if ``user`` started it or sees everything; a 404 otherwise."""
    job = db.session.get(ImportJob, job_id)
    if job is None or (job.created_by_id != user.id and not sees_all(user)):
        raise NotFoundError(_("import %(id)s not found", id=job_id))
    importer_for(job.target)
    return job


def jobs_of(user: User):
    query = select(ImportJob)
    return query if sees_all(user) else query.where(ImportJob.created_by_id == user.id)


def error_file(job: ImportJob) -> Response:
    """The rows that failed as CSV: the file's columns, its line, and
    ``error``; cells that a spreadsheet would run as a formula defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*job.columns, "line", "error"])
    for row in error_rows(job):
        writer.writerow([cell(value) for value in row.cells] + [row.line, cell(row.message)])
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="import-{job.id}-errors.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/targets", methods=["GET"])
@bp.response(200, ImportTargetOut(many=True))
def targets():
    """What the caller may import into (core's customers and contacts, the
    plugins' importers) and the fields a column may be mapped to."""
    require(IMPORT)
    return targets_for(current_user)


@bp.route("/jobs", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, JOB_SORT), location="query", as_kwargs=False)
@bp.response(200, page_schema(ImportJobOut, "ImportJobPage"))
def list_jobs(args):
    """The caller's imports (everyone's for a user who sees all), newest first."""
    require(IMPORT)
    query = jobs_of(current_user)
    if args.get("q"):
        query = query.where(ImportJob.filename.contains(args["q"], autoescape=True))
    return paginate(query, args, JOB_SORT, "-created_at")


@bp.route("/jobs", methods=["POST"])
@bp.doc(requestBody=MULTIPART, **TARGET_RULE)
@bp.response(201, ImportJobOut)
def create_job():
    """Upload a file for a target: checked (encoding, columns, size, rows;
    422 naming ``file``), stored, and its columns mapped by their names as
    a suggestion. Nothing is imported yet."""
    require(IMPORT)
    importer = importer_for(request.form.get("target", ""))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError({"file": [_("choose a file")]})
    data = upload.stream.read(max_bytes() + 1)
    return service.upload(data, upload.filename, importer.name, current_user)


@bp.route("/jobs/<int:import_id>", methods=["GET"])
@bp.response(200, ImportJobOut)
def get_job(import_id: int):
    """An import with its progress (processed, created, updated, skipped, failed)."""
    require(IMPORT)
    return job_of(import_id, current_user)


@bp.route("/jobs/<int:import_id>/mapping", methods=["PUT"])
@bp.doc(requestBody={"content": {"application/json": {"schema": ConfigureInput}}})
@bp.response(200, ImportJobOut)
def configure_job(import_id: int):
    """Map columns to fields (``mapping``, or a saved one by
    ``mapping_name``), choose what a row matching an existing record does
    (``on_duplicate``: create, update or skip; ``line_actions`` per line),
    and save the mapping as ``save_as``. 409 once the import has started."""
    require(IMPORT)
    return service.configure(job_of(import_id, current_user), body(), current_user)


@bp.route("/jobs/<int:import_id>/preview", methods=["GET"])
@bp.response(200, ImportPreviewOut)
def preview_job(import_id: int):
    """Every row checked, nothing written: the errors by line and field, the
    existing records matched (by phone, e-mail, name), repeats within the file."""
    require(IMPORT)
    return service.preview(job_of(import_id, current_user), current_user)


@bp.route("/jobs/<int:import_id>/run", methods=["POST"])
@bp.response(202, ImportJobOut)
def run_job(import_id: int):
    """Queue the import: batches of 500 rows, each one transaction; follow
    its progress at ``GET /jobs/{id}``."""
    require(IMPORT)
    return service.start(job_of(import_id, current_user), current_user)


@bp.route("/jobs/<int:import_id>/undo", methods=["POST"])
@bp.response(200, ImportJobOut)
def undo_job(import_id: int):
    """Undo the whole import, on the job queue: created records to the
    recycle bin, updated ones back to their values before. The answer's
    ``status`` is ``undoing`` until the job has run (then ``undone``, or the
    state before with ``undo_error``). 409 when a record was changed since,
    or the import is not finished, undone or being undone."""
    require(IMPORT)
    return service.undo(job_of(import_id, current_user), current_user)


@bp.route("/jobs/<int:import_id>/errors.csv", methods=["GET"])
@bp.doc(responses={"200": {"description": "CSV", "content": {"text/csv": {}}}})
def job_errors(import_id: int):
    """The rows that failed, with the file's columns, ``line`` and ``error``."""
    require(IMPORT)
    return error_file(job_of(import_id, current_user))


@bp.route("/mappings", methods=["GET"])
@bp.doc(**TARGET_RULE)
@bp.arguments(ImportMappingArgs, location="query", as_kwargs=False)
@bp.response(200, ImportMappingOut(many=True))
def list_mappings(args):
    """The mappings saved for a target, by name."""
    require(IMPORT)
    return saved_mappings(importer_for(args["target"]).name)


@bp.route("/mappings", methods=["POST"])
@bp.arguments(ImportMappingArgs, location="query", as_kwargs=False)
@bp.doc(requestBody={"content": {"application/json": {"schema": MappingInput}}}, **TARGET_RULE)
@bp.response(201, ImportMappingOut)
def create_mapping(args) -> ImportMapping:
    """Save ``{column: field}`` under ``name`` for a target (one of that name is replaced)."""
    require(IMPORT)
    return save_mapping(body(), importer_for(args["target"]), current_user)
