"""``GET /api/v1/attachments/{id}``: a file attached to a plugin's record.
Who may open the record gets the file; anyone else a 404, as if it did not
exist. A plugin lists a record's files in its detail (``AttachmentList``)
and takes uploads and deletions on its own routes."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from core.attachments import EXTENSIONS, download

bp = Blueprint("api_attachments", __name__, description="Attachments (附件) of records")


@bp.route("/attachments/<int:attachment_id>", methods=["GET"])
@bp.doc(
    responses={
        "200": {
            "description": "the file, as a download, with the type told by its content",
            "content": {kind: {} for kind in EXTENSIONS},
        },
        "404": {"description": "no such file, or its record is not one the caller may open"},
    }
)
def download_attachment(attachment_id: int):
    """The file itself (``Content-Disposition: attachment``)."""
    return download(attachment_id, current_user)
