"""``/api/v1/insurance/claims/{id}/documents`` and
``/api/v1/insurance/policies/{id}/documents``: a claim's or a policy's
documents (单证) — list (``kind`` filters), upload (multipart: ``kind`` and
``file``, repeatable) and delete. Core serves each download at
``/api/v1/attachments/{id}`` (``url``) and audits it on the record.

The record's visibility decides, as everywhere: out of scope is a 404;
reading needs ``insurance.claim.read`` / ``insurance.policy.read``, adding
and removing ``insurance.claim.write`` / ``insurance.policy.write``."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields

from core.api import AttachmentOut, accepted_file_types, require

from ..services.access import visible_claim, visible_policy
from ..services.documents import (
    CLAIM_KIND_LABELS,
    POLICY_KIND_LABELS,
    add_documents,
    documents_of,
    remove_document,
)
from ..services.documents.records import MAX_FILES
from .blueprint import bp


class InsuranceDocumentArgs(Schema):
    kind = fields.String(metadata={"description": "only the documents of this kind"})


def _multipart(kinds: dict) -> dict:
    """The upload's request body, with the kinds the record may take."""
    return {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["kind", "file"],
                    "properties": {
                        "kind": {
                            "type": "string",
                            "enum": list(kinds),
                            "description": "what the files are; a claim takes the kinds its "
                            "product asks for (claim_documents) and other",
                        },
                        "file": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary", "minLength": 1},
                            "minItems": 1,
                            "maxItems": MAX_FILES,
                            "description": "JPEG, PNG, WebP, HEIC or PDF (told by the "
                            f"content), up to 10 MB each; at most {MAX_FILES} a record",
                        },
                    },
                },
                "encoding": {"file": {"contentType": ", ".join(accepted_file_types())}},
            }
        }
    }


UPLOAD_ERRORS = {
    "409": {"description": f"the record holds {MAX_FILES} files already"},
    "422": {
        "description": "no kind or one the record does not take (kind); no file, a type "
        "we do not accept (checked by content), over 10 MB (file)"
    },
}


@bp.route("/claims/<int:claim_id>/documents", methods=["GET"])
@bp.arguments(InsuranceDocumentArgs, location="query", as_kwargs=False)
@bp.response(200, AttachmentOut(many=True))
def list_claim_documents(args, claim_id: int):
    """The claim's documents, oldest first."""
    require("insurance.claim.read")
    return documents_of(visible_claim(claim_id, current_user), args.get("kind"))


@bp.route("/claims/<int:claim_id>/documents", methods=["POST"])
@bp.doc(requestBody=_multipart(CLAIM_KIND_LABELS), responses=UPLOAD_ERRORS)
@bp.response(201, AttachmentOut(many=True))
def upload_claim_documents(claim_id: int):
    """Attach files of one kind to the claim, in any status: all of them,
    or (422 naming ``kind`` or ``file``) none."""
    require("insurance.claim.write")
    claim = visible_claim(claim_id, current_user)
    return add_documents(
        claim, request.form.get("kind"), request.files.getlist("file"), current_user
    )


@bp.route("/claims/<int:claim_id>/documents/<int:document_id>", methods=["DELETE"])
@bp.response(204)
def delete_claim_document(claim_id: int, document_id: int):
    """Remove one of the claim's documents (its bytes go once that commits)."""
    require("insurance.claim.write")
    remove_document(visible_claim(claim_id, current_user), document_id, current_user)


@bp.route("/policies/<int:policy_id>/documents", methods=["GET"])
@bp.arguments(InsuranceDocumentArgs, location="query", as_kwargs=False)
@bp.response(200, AttachmentOut(many=True))
def list_policy_documents(args, policy_id: int):
    """The policy's (or quote's) documents, oldest first."""
    require("insurance.policy.read")
    return documents_of(visible_policy(policy_id, current_user), args.get("kind"))


@bp.route("/policies/<int:policy_id>/documents", methods=["POST"])
@bp.doc(requestBody=_multipart(POLICY_KIND_LABELS), responses=UPLOAD_ERRORS)
@bp.response(201, AttachmentOut(many=True))
def upload_policy_documents(policy_id: int):
    """Attach files of one kind to the policy or quote, in any status — the
    recording of the sale (``recorded_sale``) before a bind that needs it."""
    require("insurance.policy.write")
    policy = visible_policy(policy_id, current_user)
    return add_documents(
        policy, request.form.get("kind"), request.files.getlist("file"), current_user
    )


@bp.route("/policies/<int:policy_id>/documents/<int:document_id>", methods=["DELETE"])
@bp.response(204)
def delete_policy_document(policy_id: int, document_id: int):
    """Remove one of the policy's documents (its bytes go once that commits)."""
    require("insurance.policy.write")
    remove_document(visible_policy(policy_id, current_user), document_id, current_user)
