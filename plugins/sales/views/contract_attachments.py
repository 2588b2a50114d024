"""A contract page's attachments panel: the upload form and the delete
buttons (who may edit the contract); the downloads are core's
``/attachments/<id>``. A contract the user may not see is a 404."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from core.api import NotFoundError, ValidationError, db, require, translator

from ..services.contracts import attachments
from ..services.contracts.queries import visible_contract
from .blueprint import bp

_, _l = translator("sales")


@bp.route("/contracts/<int:contract_id>/attachments", methods=["POST"])
@login_required
def upload_contract_attachments(contract_id: int):
    require("sales.contract.write")
    contract = visible_contract(contract_id, current_user)
    try:
        rows = attachments.add_contract_attachments(
            contract, request.files.getlist("file"), current_user
        )
    except ValidationError as exc:  # 422, or 409 when the contract is full
        db.session.rollback()
        flash(" ".join(exc.errors.get("file", [exc.summary])), "error")
    else:
        flash(_("Attached: %(names)s.", names=", ".join(r.filename for r in rows)), "success")
    return redirect(url_for(".contract", contract_id=contract.id) + "#attachments")


@bp.route("/contracts/<int:contract_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete_contract_attachment(contract_id: int, attachment_id: int):
    require("sales.contract.write")
    contract = visible_contract(contract_id, current_user)
    try:
        attachments.remove_contract_attachment(contract, attachment_id, current_user)
    except NotFoundError:
        db.session.rollback()
        flash(_("That file is not on this contract any more."), "error")
    else:
        flash(_("File deleted."), "success")
    return redirect(url_for(".contract", contract_id=contract.id) + "#attachments")
