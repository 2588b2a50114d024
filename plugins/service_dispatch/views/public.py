"""The public side of service: request links the admin hands out, the
request form a customer fills in without an account (报修), and the
tracking page its link leads to. Public pages stand alone (no app menu),
speak the visitor's language and are rate-limited per address."""

from __future__ import annotations

from babel import Locale
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import Team, ValidationError, db, new_tracking_token, public, require, translator

from ..models import RequestLink
from ..services import public as requests_
from .blueprint import bp

_, _l = translator("service_dispatch")
LOCALES = ("zh_CN", "en")


@bp.route("/request-links", methods=["GET", "POST"])
@login_required
def request_links():
    """报修链接: links to give customers, each with its public address to copy."""
    require("service.admin")
    if request.method == "POST":
        try:
            link = requests_.create_link(
                request.form.get("name", ""), request.form.get("team_id", type=int), current_user
            )
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.summary, "error")
        else:
            flash(_("Request link %(name)s created.", name=link.name), "success")
        return redirect(url_for(".request_links"))
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    return render_template(
        "service_dispatch/request_links.html", links=requests_.links(), teams=teams
    )


@bp.route("/request-links/<int:link_id>/active", methods=["POST"])
@login_required
def request_link_active(link_id: int):
    """Switch a link off (its address then answers 404) or on again."""
    require("service.admin")
    link = db.session.get(RequestLink, link_id) or abort(404)
    requests_.set_active(link, request.form.get("active") == "1", current_user)
    flash(
        _("Request link %(name)s switched on.", name=link.name)
        if link.active
        else _("Request link %(name)s switched off.", name=link.name),
        "success",
    )
    return redirect(url_for(".request_links"))


@bp.route("/request/<key>", methods=["GET", "POST"])
@public("10 per minute")
def request_form(key: str):
    """The public request form. A wrong or switched-off key is a 404; a filled
    honeypot (``website``, invisible to people) gets an ordinary thank-you and
    nothing is kept; over 10 requests a minute from one address is a 429."""
    link = requests_.link_for(key)
    if link is None:
        return render_template("service_dispatch/public_missing.html"), 404
    values, errors = {}, {}
    if request.method == "POST":
        if request.form.get("website"):
            return thanks(key, new_tracking_token()[0])  # a token like any other
        values = {k: request.form.get(k, "") for k in requests_.FIELDS}
        try:
            filed = requests_.file_request(link, request.form, request.files.getlist("photos"))
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            return thanks(key, filed.token, filed.number)
    return render_template(
        "service_dispatch/public_request.html",
        link=link,
        values=values,
        errors=errors,
        categories=requests_.categories(),
    ), 422 if errors else 200


#: the visitor's last filed request (its tracking token and number) in their
#: own signed session cookie, for the thank-you page after the redirect
FILED = "service_dispatch_filed"


def thanks(key: str, token: str, number: str | None = None):
    """Post/redirect/get: a reload of the thank-you page shows it again
    instead of filing the request a second time."""
    session[FILED] = {"token": token, "number": number}
    return redirect(url_for(".request_thanks", key=key), 303)


@bp.route("/request/<key>/thanks")
@public("30 per minute")
def request_thanks(key: str):
    """The tracking link of the request just filed (only in the visitor's session)."""
    filed = session.get(FILED)
    if filed is None or requests_.link_for(key) is None:
        return redirect(url_for(".request_form", key=key))
    # the link keeps the language the request was filed in, whatever the
    # browser that later opens it (a relative's, an SMS preview) prefers
    lang = next((code for code in LOCALES if Locale.parse(code) == get_locale()), None)
    url = url_for(".track", token=filed["token"], lang=lang, _external=True)
    return render_template(
        "service_dispatch/public_thanks.html", url=url, number=filed.get("number")
    )


@bp.route("/track/<token>")
@public("30 per minute")
def track(token: str):
    """Where a request stands: number, state, its steps' times and the
    appointment — no names, no notes. An unknown token is a 404."""
    order = requests_.tracked_order(token)
    if order is None:
        return render_template("service_dispatch/public_missing.html", tracking=True), 404
    return render_template(
        "service_dispatch/public_track.html", order=order, history=requests_.public_history(order)
    )
