"""``/marketing/templates``: the template library (e-mail and SMS) and the
template form — an e-mail's subject and HTML body, or an SMS's text with
its length and number of SMS parts, per language. The form calls the same
service and schema as the API."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.api import (
    ForbiddenError,
    StaleVersionError,
    ValidationError,
    current_lang,
    db,
    form_version,
    require,
    translator,
)

from ..models import CampaignTemplate
from ..models.campaign import CHANNELS, LANGUAGES
from ..services.campaigns import templates
from ..services.campaigns.merge import MERGE_FIELDS
from ..services.campaigns.texts import MAX_PARTS, measure
from .blueprint import bp

_, _l = translator("marketing")

#: the form's fields: what a template holds
TEMPLATE_FIELDS = templates.CONTENT


@bp.route("/templates")
@login_required
def templates_list():
    require("marketing.campaign.read")
    found = db.session.scalars(templates.search_templates({}).order_by(CampaignTemplate.name))
    return render_template(
        "marketing/campaign_templates.html",
        templates=found.all(),
        zh=current_lang() == "zh_CN",
        channels={k: str(v) for k, v in CHANNELS.items()},
    )


def _template_form(found, values, errors=None, status=200):
    channel = found.channel if found else values.get("channel", "email")
    parts = {code: measure(values.get(f"text_{code}"), code) for code in LANGUAGES}
    return render_template(
        "marketing/campaign_template_form.html",
        template=found,
        values={**values, "channel": channel},
        errors=errors or {},
        merge_fields={k: str(v) for k, v in MERGE_FIELDS.items()},
        languages={k: str(v) for k, v in LANGUAGES.items()},
        channels={k: str(v) for k, v in CHANNELS.items()},
        parts=parts,
        max_parts=MAX_PARTS,
    ), status


@bp.route("/templates/new")
@login_required
def new_template():
    """``channel``: ``sms`` for an SMS template (anything else: e-mail)."""
    require("marketing.campaign.write")
    channel = "sms" if request.args.get("channel") == "sms" else "email"
    return _template_form(None, {"channel": channel})


@bp.route("/templates/<int:email_template_id>/edit")
@login_required
def edit_template(email_template_id: int):
    require("marketing.campaign.write")
    found = templates.visible_template(email_template_id)
    values = {k: getattr(found, k) or "" for k in TEMPLATE_FIELDS}
    return _template_form(found, {**values, "version": found.version})


def _posted_template() -> dict:
    posted = {k: request.form.get(k, "") for k in TEMPLATE_FIELDS}
    posted["channel"] = "sms" if posted["channel"] == "sms" else "email"
    return posted


@bp.route("/templates", methods=["POST"])
@login_required
def create_template():
    require("marketing.campaign.write")
    payload = _posted_template()
    try:
        templates.create_template(payload, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _template_form(None, payload, exc.errors, 422)
    flash(_("Template saved."), "success")
    return redirect(url_for(".templates_list"))


@bp.route("/templates/<int:email_template_id>", methods=["POST"])
@login_required
def save_template(email_template_id: int):
    require("marketing.campaign.write")
    found = templates.visible_template(email_template_id)
    payload = {**_posted_template(), "channel": found.channel}
    try:
        if "delete" in request.form:
            templates.delete_template(found, current_user, form_version())
            flash(_("Template moved to the recycle bin."), "success")
            return redirect(url_for(".templates_list"))
        templates.update_template(found, payload, current_user, form_version())
    except (ValidationError, ForbiddenError) as exc:
        db.session.rollback()
        errors = exc.errors if isinstance(exc, ValidationError) else {"_schema": [str(exc)]}
        return _template_form(found, payload, errors, 422)
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this template meanwhile; look again and retry."), "error")
        return redirect(url_for(".edit_template", email_template_id=email_template_id))
    flash(_("Saved."), "success")
    return redirect(url_for(".templates_list"))
