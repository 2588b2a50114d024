"""The signed-in user's own preferences: language, time zone and theme."""

from __future__ import annotations

import pytz
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from core.errors import ValidationError
from core.extensions import db
from core.i18n import _
from core.services.directory import update_user

bp = Blueprint("account", __name__, url_prefix="/account")
COMMON_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences() -> ResponseReturnValue:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = request.form
        payload = {key: form.get(key) or None for key in ("locale", "timezone", "theme")}
        try:
            update_user(current_user, payload, current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash(_("Preferences saved."), "success")
            return redirect(url_for(".preferences"))
    zones = list(COMMON_ZONES) + sorted(z for z in pytz.common_timezones if z not in COMMON_ZONES)
    return render_template(
        "core/preferences.html",
        errors=errors,
        zones=zones,
        themes=current_app.extensions["trellis_themes"].values(),
    ), 422 if errors else 200
