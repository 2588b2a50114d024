"""The page frame every web page shares — the ``core`` blueprint: the menu,
the template globals (formatting in the user's locale, the theme, the CSRF
token), security headers, themes' static files and the dashboard. (The
health checks are :mod:`core.web.health`.)

Pages are server-rendered; htmx swaps parts of them. Plugins add menu
entries, dashboard widgets and customer tabs only through their hooks.
Signing in and the CSRF check are in :mod:`core.web.auth`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_skeleton
from flask import (
    Blueprint,
    abort,
    current_app,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
    get_timezone,
    lazy_pgettext,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.access import hidden_fields, scoped
from core.declarations import MENU_ADMIN, MENU_CUSTOMERS, MenuItem
from core.extensions import db
from core.followups import due_list
from core.i18n import _l, instance_currency
from core.icons import icon
from core.models import Customer, Grade, Stage, utcnow
from core.normalize import format_phone, phone_type_label
from core.registry import current_registry, sorted_items
from core.themes import active_theme, theme_description, theme_title
from core.web.auth import csrf_token

bp = Blueprint("core", __name__)
ADMIN_PERMISSIONS = ("admin.users", "admin.settings", "audit.read", "customer.purge")


def main_menu() -> dict:
    """The menu: entries without a group at the top (the dashboard), then
    the groups — core's Customers, the plugins' own, Reports, Administration
    — each holding only what the user may open. The entry whose address is
    the longest prefix of this page's is marked current; its group is open."""
    items = [MenuItem(_l("Dashboard"), "core.dashboard", order=0, icon="layout-dashboard")]
    items += [
        MenuItem(label, endpoint, order=order, icon=glyph, group=MENU_CUSTOMERS)
        for label, endpoint, order, glyph, needs in (
            (_l("Customers"), "customers.index", 1, "users", "customer.read"),
            (_l("Contacts"), "contacts.index", 2, "contact", "customer.read"),
            (_l("My tasks"), "tasks.index", 3, "list-todo", None),
            (_l("Customer pool"), "pool.index", 4, "inbox", "pool.claim"),
            (_l("Approvals"), "approvals.index", 5, "stamp", None),
            (_l("Import"), "imports.index", 6, "upload", "customer.import"),
        )
        if needs is None or current_user.can(needs)
    ]
    items += sorted_items("trellis_menu_items", user=current_user)
    items += [
        MenuItem(label, endpoint, order=order, icon=glyph, group=MENU_ADMIN)
        for label, endpoint, order, glyph, needs in ADMIN_ENTRIES
        if any(current_user.can(p) for p in needs)
    ]
    entries: list[dict[str, Any]] = [
        {
            "label": str(i.label),
            "url": url_for(i.endpoint),
            "icon": i.icon,
            "item": i,
            "current": False,
        }
        for i in items
    ]
    path = request.path
    matches = [
        e
        for e in entries
        if path == e["url"]
        or (e["url"] != "/" and path.startswith(e["url"].rstrip("/") + "/"))
        or path == e["url"].rstrip("/")
    ]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["current"] = True
    groups: dict[str, dict] = {}
    for entry in sorted(entries, key=lambda e: e["item"].order):
        group = entry["item"].group
        if group is None:
            continue
        slot = groups.setdefault(
            group.name,
            {
                "name": group.name,
                "label": str(group.label),
                "icon": group.icon,
                "order": group.order,
                "items": [],
            },
        )
        slot["items"].append(entry)
    for slot in groups.values():
        slot["current"] = any(e["current"] for e in slot["items"])
    return {
        "top": [e for e in entries if e["item"].group is None],
        "groups": sorted(groups.values(), key=lambda g: (g["order"], g["label"])),
    }


#: Administration's pages in the menu: (label, endpoint, order, icon, any of these permissions)
ADMIN_ENTRIES = (
    (_l("Users"), "directory.users", 1, "user-cog", ("admin.users",)),
    (_l("Teams"), "directory.teams", 2, "building-2", ("admin.users",)),
    (_l("Roles and permissions"), "directory.roles", 3, "shield-check", ("admin.users",)),
    (_l("Custom fields"), "directory.fields", 4, "sliders-horizontal", ("admin.settings",)),
    (_l("Tags"), "directory.tags", 5, "tags", ("admin.settings",)),
    (_l("Follow-up plans"), "admin.plans", 6, "calendar-clock", ("admin.settings",)),
    (_l("Approval flows"), "approvals.flows", 6, "workflow", ("admin.approvals",)),
    (_l("Recycle rules"), "pool_rules.index", 6, "inbox", ("admin.settings",)),
    (_l("Recycle bin"), "admin.recycle_bin", 7, "trash-2", ("customer.delete",)),
    (_l("Audit log"), "admin.audit_log", 8, "scroll-text", ("audit.read",)),
    (_l("Plugins"), "admin.plugins", 9, "puzzle", ("admin.settings",)),
    (_l("Outbox"), "outbox.index", 9, "mail", ("admin.settings",)),
    (_l("Webhooks"), "webhooks.index", 9, "webhook", ("admin.webhooks",)),
    (_l("Automation"), "automation.index", 9, "zap", ("admin.automation",)),
    (_l("Site settings"), "admin.settings", 10, "settings", ("admin.settings",)),
)


#: "Customer" as a lifecycle stage (成交客户) is a word of its own, apart from
#: "Customer" the record (客户) that every page and plugin says
STAGE_LABELS = {
    Stage.lead: _l("Lead"),
    Stage.prospect: _l("Prospect"),
    Stage.customer: lazy_pgettext("lifecycle stage", "Customer"),
    Stage.vip: _l("VIP"),
    Stage.churned: _l("Churned"),
}


def render_endpoint(endpoint: str, **kwargs):
    """Render a widget or tab: call its view function and embed its HTML."""
    return Markup(current_app.view_functions[endpoint](**kwargs))


def activity_label(kind: str) -> str:
    known = current_app.extensions["trellis"].activity_kinds.get(kind)
    return str(known.label) if known else kind


def role_title(role) -> str:
    """A role as users read it: a starting role's translated title (core's
    and the plugins' ``trellis_roles``), else the name an admin gave it."""
    if role is None:
        return "—"
    known = current_app.extensions["trellis"].roles.get(role.name)
    return str(known.title) if known else role.name


def html_lang() -> str:
    """``en`` or ``zh-CN`` (Babel says ``zh_Hans_CN``; browsers and screen readers want this)."""
    locale = get_locale()
    if locale is None:
        return "en"
    return f"{locale.language}-{locale.territory}" if locale.territory else locale.language


def money(amount, currency: str) -> str:
    """Money (Decimal + ISO code) formatted for the user's locale."""
    return format_currency(amount, currency)


def month_label(value: date | str | None) -> str:
    """A month as the user's locale writes it ("March 2026", "2026年3月"):
    from a date, or a ``YYYY-MM`` string (an unreadable one is shown as it is)."""
    if not value:
        return ""
    if isinstance(value, date):
        return format_skeleton("yMMMM", value, locale=get_locale())
    try:
        year, month = (int(part) for part in value.split("-")[:2])
        return format_skeleton("yMMMM", date(year, month, 1), locale=get_locale())
    except ValueError:
        return value


def lang_url(code: str) -> str:
    """This page in language ``code`` (``?lang=``), the rest of its query
    kept (a public link's token): the language switch of a public page."""
    args: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict(), "lang": code}
    return url_for(request.endpoint or "auth.login", **args)


@bp.app_context_processor
def inject() -> dict:
    return {
        "csrf_token": csrf_token,
        "main_menu": main_menu,
        "icon": icon,
        "instance_currency": instance_currency,
        "format_datetime": format_datetime,
        "format_currency": format_currency,
        "format_date": format_date,
        "money": money,
        "month_label": month_label,
        "format_decimal": format_decimal,
        "format_percent": format_percent,
        "get_locale": get_locale,
        "html_lang": html_lang,
        "lang_url": lang_url,
        "active_theme": active_theme,
        "stage_label": lambda s: STAGE_LABELS[s],
        "stages": [(s.value, STAGE_LABELS[s]) for s in Stage],
        "grades": [(g.value, g.value) for g in Grade],
        "same_pairs": lambda values: [(v, v) for v in values],
        "now": utcnow,
        "decimal": Decimal,
        "theme_title": theme_title,
        "theme_description": theme_description,
        "render_endpoint": render_endpoint,
        "activity_label": activity_label,
        "role_title": role_title,
        "hidden": lambda entity: hidden_fields(current_user, entity),
    }


# ``{{ p|phone }}``: a stored number as the instance's country writes it;
# ``{{ p|phone_type }}``: "Mobile", "Fixed line" … or nothing
bp.add_app_template_filter(format_phone, "phone")
bp.add_app_template_filter(phone_type_label, "phone_type")


@bp.after_app_request
def security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    # served over TLS (directly, or as the trusted proxies report): browsers keep to HTTPS
    if request.is_secure and current_app.config["TRELLIS_ENV"] == "production":
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    return response


@bp.route("/theme/<theme>/<path:filename>")
def theme_static(theme: str, filename: str):
    """A theme's static files (its ``static/`` folder)."""
    found = current_app.extensions["trellis_themes"].get(theme)
    if found is None:
        abort(404)
    return send_from_directory(found.path / "static", filename)


@bp.route("/")
@login_required
def dashboard():
    visible = scoped(select(Customer), Customer, current_user)
    recent = db.session.scalars(
        visible.options(joinedload(Customer.owner))
        .order_by(Customer.updated_at.desc(), Customer.id.desc())
        .limit(8)
    ).all()
    total = db.session.scalar(select(func.count()).select_from(visible.subquery()))
    return render_template(
        "core/dashboard.html",
        recent=recent,
        total=total,
        tasks=due_list([current_user.id], tz=get_timezone()),
        widgets=sorted_items("trellis_dashboard_widgets", user=current_user),
        approvals=bool(current_registry().approvables),  # a record type can require approval
    )
