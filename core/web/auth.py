"""Signing in and out: the ``auth`` blueprint (login, logout, the language
picked before signing in), loading the signed-in user from the session,
what happens when a session ends mid-edit, and the CSRF check every web
form goes through."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.extensions import db, login_manager
from core.forms import keep_input
from core.i18n import _, _l
from core.models import User
from core.rest.problems import error_page, problem
from core.security import hash_password, needs_rehash, verify_password
from core.throttle import forget_failures, is_public

bp = Blueprint("auth", __name__)
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")


@login_manager.user_loader
def load_user(session_key: str) -> User | None:
    """Sessions carry ``<user id>:<session version>``; bumping the version
    (password change, deactivation, sign-out) ends every session of that user."""
    user_id, _sep, version = session_key.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id), options=[joinedload(User.role)])
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def back_path() -> str:
    """The page the user posted from (same site only), else this path."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return request.path


def local_path(target: str) -> str | None:
    """``target`` if it is a path on this site. Browsers read ``//host`` and
    ``/\\host`` as another site and drop tabs and newlines, so none pass."""
    parts = urlsplit(target)
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and not parts.scheme
        and not parts.netloc
    ):
        return target
    return None


def session_ended():
    """A signed-out user posted a form: keep the input, sign in, come back."""
    if request.method == "POST" and request.endpoint != "auth.login":
        if token_sent():  # only this browser's own forms, not a post forged by another site
            keep_input()
            flash(_("Your session ended. Sign in again; what you typed was kept."), "error")
        else:
            flash(str(login_manager.login_message), "info")
        target = url_for("auth.login", next=back_path())
    else:
        flash(str(login_manager.login_message), "info")
        target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request"):
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


login_manager.unauthorized_handler(session_ended)


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def token_sent() -> bool:
    """Whether the request carries this session's CSRF token."""
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
    return bool(sent) and hmac.compare_digest(sent, session.get("csrf", ""))


@bp.before_app_request
def check_csrf():
    """Every cookie-authenticated web POST carries the session's token, in
    the form or (htmx) in ``X-CSRF-Token``. ``/api/`` checks its own."""
    if (
        request.method in ("GET", "HEAD", "OPTIONS")
        or request.path.startswith("/api/")
        or is_public(current_app, request.endpoint)
    ):
        return None
    if token_sent():
        return None
    if not current_user.is_authenticated and request.endpoint not in ("auth.login", None):
        return session_ended()
    abort(400, description=_("The form expired; please reload the page and try again."))


@bp.route("/login", methods=["GET", "POST"])
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
            forget_failures()  # this address's earlier typos for this account
            kept = session.get("kept_input")
            login_user(user)
            session.pop("csrf", None)
            if kept:
                session["kept_input"] = kept
            return redirect(local_path(request.args.get("next", "")) or url_for("core.dashboard"))
        flash(_("E-mail or password is wrong."), "error")
        return render_template("core/login.html", email=email), 401
    return render_template("core/login.html", email="")


@bp.route("/language", methods=["POST"])
def language():
    """Pick the language before signing in (kept in the session)."""
    if request.form.get("locale") in ("en", "zh_CN"):
        session["locale"] = request.form["locale"]
    return redirect(back_path())


@bp.app_errorhandler(429)
def too_many_attempts(exc):
    if request.path.startswith("/api/"):
        return problem(429, _("Too many requests"), str(exc.description))
    if request.endpoint != "auth.login":
        return error_page(exc)
    flash(_("Too many sign-in attempts. Please wait a few minutes and try again."), "error")
    return render_template("core/login.html", email=""), 429


@bp.route("/logout", methods=["POST"])
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
