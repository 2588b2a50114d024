"""``/attachments/<id>``: a file attached to a plugin's record, as a download
(blueprint ``attachments``). Only who may open the record gets it; for
anyone else — and for a file that does not exist — it is a 404."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from core.attachments import download

bp = Blueprint("attachments", __name__)


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download_attachment(attachment_id: int):
    return download(attachment_id, current_user)
