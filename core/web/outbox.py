"""Settings → Outbox (``/admin/outbox``): the messages sent — SMS and
e-mail — newest first, filtered by status, channel and purpose, with their
body (a one-time code's digits masked) and a failure's error; a failed
message can be sent again."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from core.extensions import db
from core.forms import list_page
from core.i18n import _, _l
from core.jobs import enqueue
from core.messaging import DELIVER, shown_body
from core.models import Message
from core.models.messages import MESSAGE_CHANNELS, MESSAGE_STATES
from core.rest.auth import require

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")
PER_PAGE = 50
STATE_LABELS = {"queued": _l("Waiting"), "sent": _l("Sent"), "failed": _l("Failed")}
CHANNEL_LABELS = {"sms": _l("SMS"), "email": _l("E-mail")}
STATE_TONES = {"queued": "info", "sent": "ok", "failed": "bad"}


@bp.route("/")
@login_required
def index():
    require("admin.settings")
    args = {
        name: value
        for name, allowed in (("status", MESSAGE_STATES), ("channel", MESSAGE_CHANNELS))
        if (value := request.args.get(name)) in allowed
    }
    purpose = (request.args.get("purpose") or "").strip()[:32]
    query = select(Message)
    if "status" in args:
        query = query.where(Message.status == args["status"])
    if "channel" in args:
        query = query.where(Message.channel == args["channel"])
    if purpose:
        query = query.where(Message.purpose == purpose)
        args["purpose"] = purpose
    page = list_page()
    rows = list(
        db.session.scalars(
            query.order_by(Message.id.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
        )
    )
    return render_template(
        "core/admin/outbox.html",
        messages=rows[:PER_PAGE],
        more=len(rows) > PER_PAGE,
        page=page,
        args=args,
        shown_body=shown_body,
        states=STATE_LABELS,
        channels=CHANNEL_LABELS,
        tones=STATE_TONES,
    )


@bp.route("/<int:message_id>/resend", methods=["POST"])
@login_required
def resend(message_id: int):
    """Send a failed message again (three more tries)."""
    require("admin.settings")
    message = db.session.get(Message, message_id)
    if message is None:
        abort(404)
    if message.status != "failed":
        flash(_("Only a failed message can be sent again."), "error")
        return redirect(url_for(".index"))
    message.status, message.attempts = "queued", 0
    db.session.commit()
    enqueue(DELIVER, message_id=message.id)
    flash(_("The message is queued again."), "success")
    return redirect(url_for(".index"))
