"""Core's web pages: sign in/out and the dashboard.

A first, deliberately plain UI so ``make run`` shows the demo; the full web
UI (customer pages, admin, themes, htmx) is built on these blueprints.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory,
    session, url_for,
)
from flask_babel import format_currency, format_date, format_datetime, get_locale
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core import __version__
from core.access import hidden_fields, scoped
from core.extensions import db, login_manager
from core.followups import due_list
from core.i18n import _, _l
from core.models import Customer, Stage, User
from core.registry import sorted_items
from core.security import hash_password, needs_rehash, verify_password

auth_bp = Blueprint("auth", __name__)
web_bp = Blueprint("core", __name__)
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")


@login_manager.user_loader
def load_user(session_key: str) -> User | None:
    """Sessions carry ``<user id>:<session version>``; bumping the version
    (password change, deactivation) ends every session of that user."""
    user_id, _sep, version = session_key.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id), options=[joinedload(User.role)])
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


@web_bp.before_app_request
def check_csrf() -> None:
    """Every cookie-authenticated form POST must carry the session's token.

    ``/api/`` is left to the API's own authentication (bearer tokens)."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.path.startswith("/api/"):
        sent = request.form.get("csrf_token", "")
        if not hmac.compare_digest(sent, session.get("csrf", "")) or not sent:
            abort(400, description=_("The form expired; please reload the page and try again."))


@web_bp.app_context_processor
def inject() -> dict:
    menu = sorted_items("trellis_menu_items", user=current_user) if current_user.is_authenticated else []
    return {"csrf_token": csrf_token, "menu_items": menu, "format_datetime": format_datetime,
            "format_currency": format_currency, "format_date": format_date,
            "get_locale": get_locale, "stage_label": lambda s: STAGE_LABELS[s],
            "render_endpoint": render_endpoint, "activity_label": activity_label,
            "hidden": lambda entity: hidden_fields(current_user, entity)}


STAGE_LABELS = {Stage.lead: _l("Lead"), Stage.prospect: _l("Prospect"),
                Stage.customer: _l("Customer"), Stage.vip: _l("VIP"), Stage.churned: _l("Churned")}


def render_endpoint(endpoint: str, **kwargs):
    """Render a widget or tab: call its view function and embed its HTML."""
    return Markup(current_app.view_functions[endpoint](**kwargs))


def activity_label(kind: str) -> str:
    known = current_app.extensions["trellis"].activity_kinds.get(kind)
    return str(known.label) if known else kind


@web_bp.after_app_request
def security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'")
    return response


@auth_bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        password = request.form.get("password", "")
        user = db.session.scalar(select(User).where(User.email == email))
        ok = verify_password(user.password_hash if user else None, password)
        if ok and user.is_active:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
                db.session.commit()
            login_user(user)
            session.pop("csrf", None)
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//")
                            else url_for("core.dashboard"))
        flash(_("E-mail or password is wrong."), "error")
        return render_template("core/login.html", email=email), 401
    return render_template("core/login.html", email="")


@auth_bp.app_errorhandler(429)
def too_many_attempts(exc):
    if request.path.startswith("/api/"):
        from core.rest.problems import problem

        return problem(429, _("Too many requests"), str(exc.description))
    flash(_("Too many sign-in attempts. Please wait a few minutes and try again."), "error")
    return render_template("core/login.html", email=""), 429


@auth_bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out everywhere: the session cookie is only signed, not stored, so
    a copy of it would outlive a plain logout; bumping the user's session
    version makes every copy worthless."""
    current_user.session_version += 1
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@web_bp.route("/theme/<path:filename>")
def theme_static(filename: str):
    """The active theme's static files (its ``static/`` folder)."""
    return send_from_directory(Path(current_app.config["TRELLIS_THEME_DIR"]) / "static", filename)


@web_bp.route("/")
@login_required
def dashboard():
    visible = scoped(select(Customer), Customer, current_user)
    recent = db.session.scalars(
        visible.order_by(Customer.updated_at.desc(), Customer.id.desc()).limit(10)).all()
    total = db.session.scalar(select(func.count()).select_from(visible.subquery()))
    return render_template(
        "core/dashboard.html", recent=recent, total=total, tasks=due_list([current_user.id]),
        widgets=sorted_items("trellis_dashboard_widgets", user=current_user),
    )


@web_bp.route("/healthz")
def healthz():
    db.session.execute(select(1))
    return {"status": "ok", "version": __version__}
