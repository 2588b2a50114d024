"""``/api/v1/sales/contracts/{id}/attachments``: a contract's files — upload
(multipart, field ``file``, repeatable) and delete. The contract's detail
lists them (``attachments``) and core serves each download at
``/api/v1/attachments/{id}``. The contract's visibility decides, as
everywhere: out of scope is a 404; editing needs ``sales.contract.write``."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from core.api import AttachmentOut, accepted_file_types, require

from ..services.contracts import attachments
from ..services.contracts.queries import visible_contract
from .blueprint import bp

MULTIPART = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary", "minLength": 1},
                        "minItems": 1,
                        "maxItems": attachments.MAX_FILES,
                        "description": "JPEG, PNG, WebP, HEIC or PDF (told by the content), "
                        "up to 10 MB each; at most 20 per contract",
                    }
                },
            },
            "encoding": {"file": {"contentType": ", ".join(accepted_file_types())}},
        }
    }
}


@bp.route("/contracts/<int:contract_id>/attachments", methods=["POST"])
@bp.doc(
    requestBody=MULTIPART,
    responses={
        "409": {"description": "the contract holds 20 files already"},
        "422": {"description": "no file, a type we do not accept (checked by content), over 10 MB"},
    },
)
@bp.response(201, AttachmentOut(many=True))
def upload_contract_attachments(contract_id: int):
    """Attach files to the contract, in any status: all of them, or (422
    naming ``file``) none."""
    require("sales.contract.write")
    contract = visible_contract(contract_id, current_user)
    return attachments.add_contract_attachments(
        contract, request.files.getlist("file"), current_user
    )


@bp.route("/contracts/<int:contract_id>/attachments/<int:attachment_id>", methods=["DELETE"])
@bp.response(204)
def delete_contract_attachment(contract_id: int, attachment_id: int):
    """Remove one of the contract's files (its bytes go once that commits)."""
    require("sales.contract.write")
    contract = visible_contract(contract_id, current_user)
    attachments.remove_contract_attachment(contract, attachment_id, current_user)
