"""The public page of a consent confirmation link (blueprint
``consent_public``): ``/consent/confirm/<token>``, for a customer without an
account, in the language the link names (``?lang=``) or the browser's.

GET shows what confirming does and one button, and changes nothing — mail
scanners and link previews follow GET links; POST (the button) confirms
(:func:`core.consents.confirmation.confirm`). A forged token is a 404 page;
a used, expired or void link (the grant was withdrawn since) a 410 page
saying which, with nothing changed. Rate-limited per address.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from core.company import company_profile
from core.consents import confirmation as confirmations
from core.errors import NotFoundError
from core.throttle import public

bp = Blueprint("consent_public", __name__)


def _page(state: str, status: int, email: str | None = None):
    html = render_template(
        "core/public_consent.html", state=state, email=email, company=company_profile().name
    )
    return html, status


@bp.route("/consent/confirm/<token>", methods=["GET", "POST"])
@public("20 per minute")
def confirm(token: str):
    """Ask for the click; posted, record the confirmed grant."""
    try:
        found = confirmations.confirmation_by_token(token)
    except NotFoundError:
        return _page("missing", 404)
    state = confirmations.link_state(found)
    if state != "open":
        return _page(state, 410, found.email)
    if request.method == "POST":
        if confirmations.confirm(found, request.remote_addr) is None:  # a click just before
            return _page("used", 410, found.email)
        return _page("done", 200, found.email)
    return _page("open", 200, found.email)
