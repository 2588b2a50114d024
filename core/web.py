"""Core's web base: sign in and out, CSRF, the page frame (menu, theme,
locale), security headers and the dashboard.

Pages are server-rendered; htmx swaps parts of them. Plugins add menu
entries, dashboard widgets and customer tabs only through their hooks.
"""

from __future__ import annotations

import hmac
from decimal import Decimal
import secrets
from urllib.parse import urlsplit

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory,
    session, url_for,
)
from flask_babel import (
    format_currency, format_date, format_datetime, format_decimal, format_percent, get_locale,
    get_timezone,
)
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core import __version__
from core.access import hidden_fields, scoped
from core.extensions import db, login_manager
from core.followups import due_list
from core.forms import keep_input
from core.i18n import _, _l
from core.models import Customer, Grade, Stage, User, utcnow
from core.registry import sorted_items
from core.security import hash_password, needs_rehash, verify_password
from core.themes import active_theme, theme_title
from core.throttle import is_public

auth_bp = Blueprint("auth", __name__)
web_bp = Blueprint("core", __name__)
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
ADMIN_PERMISSIONS = ("admin.users", "admin.settings", "audit.read", "customer.purge")


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
    if (target.startswith("/") and not target.startswith("//") and "\\" not in target
            and target.isprintable() and not parts.scheme and not parts.netloc):
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


@web_bp.before_app_request
def check_csrf():
    """Every cookie-authenticated web POST carries the session's token, in
    the form or (htmx) in ``X-CSRF-Token``. ``/api/`` checks its own."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/api/") \
            or is_public(current_app, request.endpoint):
        return None
    if token_sent():
        return None
    if not current_user.is_authenticated and request.endpoint not in ("auth.login", None):
        return session_ended()
    abort(400, description=_("The form expired; please reload the page and try again."))


def main_menu() -> list[dict]:
    """The menu: core's pages, the plugins' entries, then administration."""
    entries = [(_("Dashboard"), "core.dashboard"), (_("Customers"), "customers.index"),
               (_("Contacts"), "contacts.index"), (_("My tasks"), "tasks.index")]
    if current_user.can("pool.claim"):
        entries.append((_("Customer pool"), "pool.index"))
    entries += [(item.label, item.endpoint)
                for item in sorted_items("trellis_menu_items", user=current_user)]
    if any(current_user.can(p) for p in ADMIN_PERMISSIONS):
        entries.append((_("Administration"), "admin.index"))
    items = [{"label": label, "url": url_for(endpoint), "current": False}
             for label, endpoint in entries]
    # the entry whose address is the longest prefix of this page's is the current one
    matches = [i for i in items if request.path == i["url"]
               or (i["url"] != "/" and request.path.startswith(i["url"].rstrip("/") + "/"))
               or request.path == i["url"].rstrip("/")]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["current"] = True
    return items


STAGE_LABELS = {Stage.lead: _l("Lead"), Stage.prospect: _l("Prospect"),
                Stage.customer: _l("Customer"), Stage.vip: _l("VIP"), Stage.churned: _l("Churned")}


def render_endpoint(endpoint: str, **kwargs):
    """Render a widget or tab: call its view function and embed its HTML."""
    return Markup(current_app.view_functions[endpoint](**kwargs))


def activity_label(kind: str) -> str:
    known = current_app.extensions["trellis"].activity_kinds.get(kind)
    return str(known.label) if known else kind


def html_lang() -> str:
    """``en`` or ``zh-CN`` (Babel says ``zh_Hans_CN``; browsers and screen readers want this)."""
    locale = get_locale()
    if locale is None:
        return "en"
    return f"{locale.language}-{locale.territory}" if locale.territory else locale.language


def money(amount, currency: str) -> str:
    """Money (Decimal + ISO code) formatted for the user's locale."""
    return format_currency(amount, currency)


@web_bp.app_context_processor
def inject() -> dict:
    return {"csrf_token": csrf_token, "main_menu": main_menu, "format_datetime": format_datetime,
            "format_currency": format_currency, "format_date": format_date, "money": money,
            "format_decimal": format_decimal, "format_percent": format_percent,
            "get_locale": get_locale,
            "html_lang": html_lang,
            "active_theme": active_theme, "stage_label": lambda s: STAGE_LABELS[s],
            "stages": [(s.value, STAGE_LABELS[s]) for s in Stage],
            "grades": [(g.value, g.value) for g in Grade],
            "same_pairs": lambda values: [(v, v) for v in values],
            "now": utcnow, "decimal": Decimal, "theme_title": theme_title,
            "render_endpoint": render_endpoint, "activity_label": activity_label,
            "hidden": lambda entity: hidden_fields(current_user, entity)}


@web_bp.after_app_request
def security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
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
            kept = session.get("kept_input")
            login_user(user)
            session.pop("csrf", None)
            if kept:
                session["kept_input"] = kept
            return redirect(local_path(request.args.get("next", ""))
                            or url_for("core.dashboard"))
        flash(_("E-mail or password is wrong."), "error")
        return render_template("core/login.html", email=email), 401
    return render_template("core/login.html", email="")


@auth_bp.route("/language", methods=["POST"])
def language():
    """Pick the language before signing in (kept in the session)."""
    if request.form.get("locale") in ("en", "zh_CN"):
        session["locale"] = request.form["locale"]
    return redirect(back_path())


@auth_bp.app_errorhandler(429)
def too_many_attempts(exc):
    if request.path.startswith("/api/"):
        from core.rest.problems import problem

        return problem(429, _("Too many requests"), str(exc.description))
    if request.endpoint != "auth.login":
        return error_page(exc)
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


@web_bp.route("/theme/<theme>/<path:filename>")
def theme_static(theme: str, filename: str):
    """A theme's static files (its ``static/`` folder)."""
    found = current_app.extensions["trellis_themes"].get(theme)
    if found is None:
        abort(404)
    return send_from_directory(found.path / "static", filename)


@web_bp.route("/")
@login_required
def dashboard():
    visible = scoped(select(Customer), Customer, current_user)
    recent = db.session.scalars(
        visible.options(joinedload(Customer.owner))
        .order_by(Customer.updated_at.desc(), Customer.id.desc()).limit(8)).all()
    total = db.session.scalar(select(func.count()).select_from(visible.subquery()))
    return render_template(
        "core/dashboard.html", recent=recent, total=total,
        tasks=due_list([current_user.id], tz=get_timezone()),
        widgets=sorted_items("trellis_dashboard_widgets", user=current_user),
    )


@web_bp.route("/healthz")
def healthz():
    db.session.execute(select(1))
    return {"status": "ok", "version": __version__}


ERROR_TITLES = {400: _l("The request was not understood"), 403: _l("You may not do this"),
                404: _l("Not found"), 405: _l("Not allowed"), 409: _l("Changed by someone else"),
                429: _l("Too many requests"), 500: _l("Something went wrong")}


def error_page(exc):
    """An HTTP error as a page of the site, in the user's language."""
    code = exc.code or 500
    if code in (301, 302, 303, 307, 308) or exc.response is not None:
        return exc
    detail = exc.description if code in (400, 403, 409) and exc.description and \
        not exc.description.startswith(("The browser", "You don't have")) else ""
    try:
        return render_template("core/error.html", code=code, detail=detail,
                               title=ERROR_TITLES.get(code, exc.name)), code
    except Exception:  # the page frame itself failed: answer plainly
        return exc
