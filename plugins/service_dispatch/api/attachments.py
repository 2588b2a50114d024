"""``/api/v1/service/work-orders/{id}/attachments``: an order's photos and
documents — list, upload (multipart, field ``file``, repeatable) and download.
The order's visibility decides, as everywhere: out of scope is a 404."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from core.api import accepted_file_types, require, translator

from ..schemas.attachments import WorkOrderAttachmentOut
from ..services import attachments
from ..services.access import visible_order
from ..services.attachments import MAX_PER_ORDER, may_attach, send_attachment
from .blueprint import bp

_, _l = translator("service_dispatch")
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
                        "maxItems": MAX_PER_ORDER,
                        "description": "JPEG, PNG, WebP, HEIC or PDF (told by the content), "
                        "up to 10 MB each; at most 10 per work order",
                    }
                },
            },
            "encoding": {"file": {"contentType": ", ".join(accepted_file_types())}},
        }
    }
}


@bp.route("/work-orders/<int:order_id>/attachments", methods=["GET"])
@bp.response(200, WorkOrderAttachmentOut(many=True))
def list_attachments(order_id: int):
    """The order's files, oldest first."""
    require("service.order.read")
    return attachments.attachments_of(visible_order(order_id, current_user))


@bp.route("/work-orders/<int:order_id>/attachments", methods=["POST"])
@bp.doc(
    requestBody=MULTIPART,
    responses={
        "422": {
            "description": "no file, a type we do not accept (checked by "
            "content), over 10 MB, or over 10 per order"
        }
    },
)
@bp.response(201, WorkOrderAttachmentOut(many=True))
def upload_attachments_api(order_id: int):
    """Attach files to the order: all of them, or (422 naming ``file``) none."""
    require("service.order.read")
    order = visible_order(order_id, current_user)
    if not may_attach():
        abort(403, description=_("You may not add files to work orders."))
    return attachments.add_attachments(order, request.files.getlist("file"), current_user)


@bp.route("/work-orders/<int:order_id>/attachments/<int:attachment_id>", methods=["GET"])
@bp.doc(
    responses={
        "200": {
            "description": "the file, as a download, with the type told by its content",
            "content": {kind: {} for kind in accepted_file_types()},
        }
    }
)
def download_attachment_api(order_id: int, attachment_id: int):
    """The file itself (``Content-Disposition: attachment``)."""
    require("service.order.read")
    return send_attachment(visible_order(order_id, current_user), attachment_id)
