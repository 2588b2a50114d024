"""The documents panel (单证) of a claim's page and of a policy's: the
list with each file's kind, the upload form with its kind, the delete
buttons (who may edit the record); the downloads are core's
``/attachments/<id>``, audited on the record. A record the user may not see
is a 404."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from core.api import NotFoundError, ValidationError, db, require, translator

from ..models import Claim, Policy
from ..services import documents
from ..services.access import visible_claim, visible_policy
from .blueprint import bp

_, _l = translator("insurance")


@bp.app_context_processor
def _document_helpers() -> dict:
    return {"insurance_documents": panel_of}


def panel_of(record: Claim | Policy) -> dict:
    """What ``insurance/_documents.html`` shows of ``record``: its files,
    its kinds in words, the kinds it still lacks (a claim's, while they
    matter; a quote's recording) and the form's and buttons' routes when
    the user may edit."""
    is_claim = isinstance(record, Claim)
    kinds = documents.claim_kinds(record) if is_claim else documents.policy_kinds(record)
    editable = documents.may_edit(record, current_user)
    name = "claim" if is_claim else "policy"
    args = {f"{name}_id": record.id}
    missing = _missing(record)
    return {
        "files": documents.documents_of(record),
        "kinds": documents.kind_labels(kinds, record),
        "missing": [str(label) for label in documents.kind_labels(missing, record).values()],
        "upload_url": url_for(f".upload_{name}_documents", **args) if editable else None,
        "delete_endpoint": f"insurance.delete_{name}_document" if editable else None,
        "endpoint_args": args,
    }


def _missing(record: Claim | Policy) -> list[str]:
    if isinstance(record, Claim):
        waiting = record.status in ("reported", "documents_pending")
        return documents.missing_claim_documents(record) if waiting else []
    if record.status in ("draft", "quoted") and documents.recorded_sale_problem(record):
        return ["recorded_sale"]
    return []


@bp.route("/claims/<int:claim_id>/documents", methods=["POST"])
@login_required
def upload_claim_documents(claim_id: int):
    require("insurance.claim.write")
    claim = visible_claim(claim_id, current_user)
    _upload(claim)
    return redirect(url_for(".claim", claim_id=claim.id) + "#documents")


@bp.route("/claims/<int:claim_id>/documents/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete_claim_document(claim_id: int, attachment_id: int):
    require("insurance.claim.write")
    claim = visible_claim(claim_id, current_user)
    _delete(claim, attachment_id)
    return redirect(url_for(".claim", claim_id=claim.id) + "#documents")


@bp.route("/policies/<int:policy_id>/documents", methods=["POST"])
@login_required
def upload_policy_documents(policy_id: int):
    require("insurance.policy.write")
    policy = visible_policy(policy_id, current_user)
    _upload(policy)
    return redirect(url_for(".policy", policy_id=policy.id) + "#documents")


@bp.route("/policies/<int:policy_id>/documents/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete_policy_document(policy_id: int, attachment_id: int):
    require("insurance.policy.write")
    policy = visible_policy(policy_id, current_user)
    _delete(policy, attachment_id)
    return redirect(url_for(".policy", policy_id=policy.id) + "#documents")


def _upload(record: Claim | Policy) -> None:
    try:
        rows = documents.add_documents(
            record, request.form.get("kind"), request.files.getlist("file"), current_user
        )
    except ValidationError as exc:  # 422, or 409 when the record is full
        db.session.rollback()
        messages = [*exc.errors.get("kind", []), *exc.errors.get("file", [])]
        flash(" ".join(messages or [exc.summary]), "error")
    else:
        flash(_("Attached: %(names)s.", names=", ".join(r.filename for r in rows)), "success")


def _delete(record: Claim | Policy, attachment_id: int) -> None:
    try:
        documents.remove_document(record, attachment_id, current_user)
    except NotFoundError:
        db.session.rollback()
        flash(_("That file is not on this record any more."), "error")
    else:
        flash(_("File deleted."), "success")
