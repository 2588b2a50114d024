"""The pages a campaign e-mail links to, for people without an account
(blueprint ``marketing_mail``, under ``/m`` — short links in e-mails):

- ``/m/u/<token>``: unsubscribe. GET shows what it does and a button; POST
  does it — from the button, or straight from a mail program's one-click
  unsubscribe (RFC 8058: ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``
  makes it POST here without opening the page);
- ``/m/o/<token>.gif``: the open pixel (a transparent 1×1 GIF, always);
- ``/m/c/<token>?u=…&s=…``: a tracked click, redirected to the signed address.

A forged or truncated token is a 404 page, never a 500; the pages speak the
visitor's language and are rate-limited per address (core.api ``public``).
"""

from __future__ import annotations

import base64

from flask import Blueprint, abort, redirect, render_template, request

from core.api import NotFoundError, public, translator

from ..services.campaigns import links, tracking

_, _l = translator("marketing")

bp = Blueprint("marketing_mail", __name__, url_prefix="/m")

#: a transparent 1×1 GIF
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@bp.route("/u/<token>", methods=["GET", "POST"])
@public("30 per minute")
def unsubscribe(token: str):
    """Ask, then unsubscribe (twice is the same as once)."""
    try:
        recipient = tracking.recipient_by_token(token)
        if request.method == "POST":
            tracking.unsubscribe(token)
            return render_template(
                "marketing/public_unsubscribed.html",
                email=recipient.address,
                sms=recipient.phone is not None,
            )
    except NotFoundError:
        return render_template("marketing/public_missing.html"), 404
    return render_template(
        "marketing/public_unsubscribe.html",
        email=recipient.address,
        sms=recipient.phone is not None,
        done=recipient.unsubscribed_at is not None,
    )


@bp.route("/o/<token>.gif")
@public("600 per minute")
def opened(token: str):
    """The pixel: counted when the token is one of ours, the GIF either way."""
    try:
        tracking.opened(token)
    except NotFoundError:
        pass
    return PIXEL, 200, {"Content-Type": "image/gif", "Cache-Control": "no-store"}


@bp.route("/c/<token>")
@public("600 per minute")
def clicked(token: str):
    """Count the click and go where the e-mail pointed — only there: an
    address without the right signature is a 404, never an open redirect."""
    address = request.args.get("u", "")
    if not address.startswith(("http://", "https://")) or not links.signed(
        token, address, request.args.get("s")
    ):
        abort(404)
    try:
        tracking.clicked(token)
    except NotFoundError:
        return render_template("marketing/public_missing.html"), 404
    return redirect(address, 302)
