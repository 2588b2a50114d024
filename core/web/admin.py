"""Administration pages: the overview, loaded plugins, the recycle bin, the
audit log, site settings (the site theme, the company profile), follow-up
plans and merging duplicates. Users, teams, roles, custom fields and tags
are in :mod:`core.web.directory`."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from core import company, followups
from core.access import audit_entries, hidden_fields, redacted_entry, scoped
from core.errors import ValidationError
from core.events import transaction
from core.extensions import db
from core.forms import form_int, list_page
from core.i18n import _
from core.models import AuditEntry, Customer, FollowUpPlan, SiteSetting, Team, User
from core.rest.auth import require
from core.rest.customers import filtered
from core.services import customers as service
from core.services.base import audit
from core.services.customers import MERGEABLE
from core.web.audit_labels import action_label, entity_label, field_label, value_label
from core.web.base import ADMIN_PERMISSIONS, STAGE_LABELS
from core.web.customers import visible_customer

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 50


@bp.route("/")
@login_required
def index():
    if not any(current_user.can(p) for p in ADMIN_PERMISSIONS):
        abort(403)
    return render_template("core/admin/index.html")


@bp.route("/plugins")
@login_required
def plugins():
    require("admin.settings")
    reg = current_app.extensions["trellis"]
    rows = [(p, True) for p in reg.plugins] + [(p, False) for p in reg.disabled if p.manifest]
    return render_template("core/admin/plugins.html", rows=rows)


def deleted_customers():
    return scoped(select(Customer), Customer, current_user, include_deleted=True).where(
        Customer.deleted_at.is_not(None)
    )


@bp.route("/recycle-bin")
@login_required
def recycle_bin():
    require("customer.delete")
    rows = db.session.scalars(
        deleted_customers().order_by(Customer.deleted_at.desc(), Customer.id.desc()).limit(200)
    ).all()
    return render_template("core/admin/recycle_bin.html", customers=rows)


def deleted_customer(customer_id: int) -> Customer:
    customer = db.session.scalar(deleted_customers().where(Customer.id == customer_id))
    if customer is None:
        abort(404)
    return customer


@bp.route("/recycle-bin/<int:customer_id>/restore", methods=["POST"])
@login_required
def restore(customer_id: int):
    require("customer.delete")
    customer = service.restore_customer(deleted_customer(customer_id), current_user)
    flash(_("%(name)s restored.", name=customer.name), "success")
    return redirect(url_for(".recycle_bin"))


@bp.route("/recycle-bin/<int:customer_id>/purge", methods=["POST"])
@login_required
def purge(customer_id: int):
    require("customer.purge")
    customer = deleted_customer(customer_id)
    name = customer.name
    service.purge_customer(customer, current_user)
    flash(_("%(name)s deleted for good.", name=name), "success")
    return redirect(url_for(".recycle_bin"))


@bp.route("/audit")
@login_required
def audit_log():
    require("audit.read")
    args = {
        k: request.args.get(k, "").strip() for k in ("entity", "entity_id", "action", "user_id")
    }
    page = list_page()
    query = audit_entries(current_user).add_columns(User.name)
    query = query.outerjoin(User, User.id == AuditEntry.user_id)
    for key in ("entity", "action"):
        if args[key]:
            query = query.where(getattr(AuditEntry, key) == args[key][:64])
    for key in ("entity_id", "user_id"):
        if (number := form_int(args[key])) is not None:
            query = query.where(getattr(AuditEntry, key) == number)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.order_by(AuditEntry.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "core/admin/audit.html",
        action_label=action_label,
        entity_label=entity_label,
        field_label=field_label,
        value_label=value_label,
        rows=[(redacted_entry(e, current_user), who) for e, who in rows],
        args=args,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        total=total,
        query={k: v for k, v in args.items() if v},
    )


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Site-wide choices: the theme everyone sees unless they picked their own
    (saved here), and the company profile (saved by :func:`company_settings`)."""
    require("admin.settings")
    themes = current_app.extensions["trellis_themes"]
    if request.method == "POST":
        theme = request.form.get("theme", "")
        if theme not in themes:
            flash(_("No such theme."), "error")
            return redirect(url_for(".settings"))
        with transaction():
            row = db.session.scalar(select(SiteSetting).where(SiteSetting.key == "theme"))
            before = {"value": row.value} if row else None
            if row is None:
                row = SiteSetting(key="theme", value=theme)
                db.session.add(row)
            row.value = theme
            db.session.flush()
            audit(current_user, row, "update", before, {"value": theme})
        flash(_("Settings saved."), "success")
        return redirect(url_for(".settings"))
    return settings_page(company.stored_values())


def settings_page(profile: dict[str, str], errors: dict[str, list[str]] | None = None) -> str:
    """The site settings page: the theme, and the company profile as stored or as sent."""
    from core.themes import site_theme

    return render_template(
        "core/admin/settings.html",
        themes=current_app.extensions["trellis_themes"].values(),
        current=site_theme(),
        profile=profile,
        labels=company.LABELS,
        logo=company.company_profile().logo,
        errors=errors or {},
    )


@bp.route("/settings/company", methods=["POST"])
@login_required
def company_settings():
    """公司信息: the company profile printed on letterheads; a bad value
    answers 422 with the page, the field marked, and nothing is saved."""
    require("admin.settings")
    form = {key: request.form.get(key, "") for key in company.FIELDS}
    try:
        company.save_company_profile(
            form, request.files.get("logo"), bool(request.form.get("remove_logo")), current_user
        )
    except ValidationError as exc:
        db.session.rollback()
        return settings_page({**company.stored_values(), **form}, exc.errors), 422
    flash(_("Company profile saved."), "success")
    return redirect(url_for(".settings"))


@bp.route("/merge/<int:survivor_id>", methods=["GET", "POST"])
@login_required
def merge(survivor_id: int):
    """合并重复客户: pick the duplicate, then field by field which value to keep."""
    require("customer.merge")
    survivor = visible_customer(survivor_id)
    other_id = request.values.get("merge_id", type=int)
    other = visible_customer(other_id) if other_id else None
    if other is not None and other.id == survivor.id:
        flash(_("A customer cannot be merged with itself."), "error")
        other = None
    if request.method == "POST" and other is not None:
        choose = {k: request.form.get(f"choose.{k}", "survivor") for k in MERGEABLE}
        try:
            service.merge_customers(survivor, other, current_user, choose)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.summary, "error")
        else:
            flash(
                _("%(merged)s was merged into %(name)s.", merged=other.name, name=survivor.name),
                "success",
            )
            return redirect(url_for("customers.detail", customer_id=survivor.id))
    q = request.args.get("q", "").strip()[:200]
    candidates: Sequence[Customer] = []
    if other is None:
        query = (
            filtered({"q": q})
            if q
            else filtered({}).where(
                Customer.id.in_(
                    [
                        d.id
                        for d in service.find_duplicates(
                            survivor.name, survivor.phones, survivor.emails, exclude_id=survivor.id
                        )
                    ]
                )
            )
        )
        candidates = db.session.scalars(
            query.where(Customer.id != survivor.id).order_by(Customer.name).limit(20)
        ).all()
    masked = hidden_fields(current_user, "customer")
    return render_template(
        "core/admin/merge.html",
        survivor=survivor,
        other=other,
        candidates=candidates,
        q=q,
        masked=masked,
        rows=merge_rows(survivor, other, [f for f in MERGEABLE if f not in masked]),
    )


def merge_rows(survivor: Customer, other: Customer | None, fields: list[str]) -> list[tuple]:
    """``(field, label, survivor's value, other's value)`` as people read
    them: the owner and team by name, a stage or kind by its label."""
    if other is None:
        return []
    kinds = {"company": _("Company"), "person": _("Person")}

    def shown(customer: Customer, field: str) -> str | None:
        value = getattr(customer, field)
        if value is None:
            return None
        if field == "owner_id":
            return customer.owner.name if customer.owner else None
        if field == "team_id":
            team = db.session.get(Team, value)
            return team.name if team else None
        if field == "stage":
            return str(STAGE_LABELS[value])
        if field == "kind":
            return str(kinds.get(getattr(value, "value", value), value))
        return str(getattr(value, "value", value))

    return [(f, field_label(f) or f, shown(survivor, f), shown(other, f)) for f in fields]


@bp.route("/follow-up-plans", methods=["GET", "POST"])
@login_required
def plans():
    """跟进计划: the rules core and the plugins offer, used with settings per team."""
    require("admin.settings")
    rules = current_app.extensions["trellis"].followup_rules
    values, errors = {}, {}
    if request.method == "POST":
        rule = rules.get(request.form.get("rule", ""))
        values = {
            "name": request.form.get("name", "").strip(),
            "rule": request.form.get("rule"),
            "team_id": form_int(request.form.get("team_id", "")),
            "params": declared_params(rule, request.form)
            if rule is not None and rule.params
            else plan_params(request.form.get("params", "")),
        }
        try:
            followups.create_plan(values, current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
            values["params_text"] = request.form.get("params", "")
        else:
            flash(_("Follow-up plan %(name)s created.", name=values["name"]), "success")
            return redirect(url_for(".plans"))
    return render_template(
        "core/admin/plans.html",
        plans=followups.plans(),
        rules=rules,
        param_text=param_text,
        teams=db.session.scalars(select(Team).order_by(Team.name)).all(),
        values=values,
        errors=errors,
    ), 422 if errors else 200


@bp.route("/follow-up-plans/<int:plan_id>/active", methods=["POST"])
@login_required
def plan_active(plan_id: int):
    require("admin.settings")
    plan = db.session.get(FollowUpPlan, plan_id)
    if plan is None or plan.deleted_at is not None:
        abort(404)
    followups.set_active(plan, request.form.get("active") == "1", current_user)
    flash(_("Saved."), "success")
    return redirect(url_for(".plans"))


def declared_params(rule, form) -> dict:
    """The settings a rule declares, from their fields (``p.<rule>.<key>``):
    whole numbers as numbers, an empty optional one left out."""
    params = {}
    for param in rule.params:
        value = form.get(f"p.{rule.code}.{param.key}", "").strip()
        if value == "" and param.optional:
            continue
        params[param.key] = form_int(value) if form_int(value) is not None else value
    return params


def param_text(rule, params: dict) -> list[tuple[str, str]]:
    """A plan's settings as ``(label, value)`` to show: by the rule's
    declared labels (a choice by its label), else by their keys."""
    declared = {p.key: p for p in rule.params} if rule is not None else {}
    shown = []
    for key, value in (params or {}).items():
        if value is None:
            continue
        param = declared.get(key)
        if param is None:
            shown.append((key, str(value)))
            continue
        label = dict(param.choices).get(value, value) if param.choices else value
        shown.append((str(param.label), str(label)))
    return shown


def plan_params(text: str) -> dict:
    """``key = value`` lines (whole numbers become numbers) as a rule's params."""
    params = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            value = value.strip()
            params[key.strip()] = form_int(value) if form_int(value) is not None else value
    return params
