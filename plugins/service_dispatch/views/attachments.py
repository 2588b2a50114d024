"""Photos and documents on an order's page: the upload form (an engineer
can take the photo with the phone's camera) and the download, both behind
the order's visibility — an order the user may not see is a 404."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from core.api import ValidationError, db, require, translator

from ..services import attachments
from ..services.access import visible_order
from ..services.attachments import may_attach, send_attachment
from .blueprint import bp

_, _l = translator("service_dispatch")


@bp.app_context_processor
def attachment_helpers():
    return {
        "wo_attachments": attachments.attachments_of,
        "wo_may_attach": lambda: current_user.is_authenticated and may_attach(),
    }


@bp.route("/work-orders/<int:order_id>/attachments", methods=["POST"])
@login_required
def upload_attachments(order_id: int):
    require("service.order.read")
    order = visible_order(order_id, current_user)
    if not may_attach():
        abort(403)
    try:
        rows = attachments.add_attachments(order, request.files.getlist("file"), current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash(" ".join(exc.errors.get("file", [exc.summary])), "error")
    else:
        flash(_("%(num)d files attached.", num=len(rows)), "success")
    return redirect(url_for(".order_page", order_id=order.id) + "#attachments")


@bp.route("/work-orders/<int:order_id>/attachments/<int:attachment_id>")
@login_required
def download_attachment(order_id: int, attachment_id: int):
    require("service.order.read")
    return send_attachment(visible_order(order_id, current_user), attachment_id)
