"""``/marketing/campaigns``: the campaigns a user may see, a campaign's
page (its figures, its recipients, the buttons of its state) and the
campaign form (the templates' pages are :mod:`.templates`). Every page
calls the same services and schemas as the API."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_login import current_user, login_required

from core.api import (
    StaleVersionError,
    StateError,
    TrellisError,
    ValidationError,
    db,
    form_datetime,
    form_version,
    instance_currency,
    list_page,
    require,
    translator,
)

from ..models import Campaign, CampaignTemplate, Recipient, Segment, Survey
from ..models.campaign import CAMPAIGN, CHANNELS, DEFAULT_RATE, LANGUAGES, TEST_PERCENT, WINNER_BY
from ..models.recipient import RECIPIENT_STATES
from ..schemas.campaign import RECIPIENT_FILTERS
from ..services import segments
from ..services.campaigns import lifecycle, results, templates
from ..services.surveys.definitions import visible_surveys
from .blueprint import bp

_, _l = translator("marketing")

PER_PAGE = 50
#: the campaign's columns its form shows (and the edit page fills in)
FORM_FIELDS = (
    "name",
    "segment_id",
    "template_id",
    "survey_id",
    "language",
    "rate",
    "subject_b",
    "test_percent",
    "test_hours",
    "winner_by",
)


def _labels() -> dict:
    return {
        "states": {k: str(v) for k, v in CAMPAIGN.states.items()},
        "recipient_states": {k: str(v) for k, v in RECIPIENT_STATES.items()},
        "languages": {k: str(v) for k, v in LANGUAGES.items()},
        "channels": {k: str(v) for k, v in CHANNELS.items()},
        "filters": {
            **{k: str(v) for k, v in RECIPIENT_STATES.items()},
            "opened": _("Opened"),
            "clicked": _("Clicked"),
            "unsubscribed": _("Unsubscribed"),
        },
    }


@bp.route("/campaigns")
@login_required
def campaigns_list():
    require("marketing.campaign.read")
    args = {"q": request.args.get("q", "").strip()}
    found = db.session.scalars(
        lifecycle.search_campaigns(current_user, args).order_by(
            Campaign.created_at.desc(), Campaign.id.desc()
        )
    ).all()
    return render_template("marketing/campaigns.html", campaigns=found, q=args["q"], **_labels())


@bp.route("/campaigns/<int:campaign_id>")
@login_required
def campaign(campaign_id: int):
    require("marketing.campaign.read")
    found = lifecycle.visible_campaign(campaign_id, current_user)
    status = request.args.get("status", "")
    status = status if status in RECIPIENT_FILTERS else ""
    page = list_page()
    rows = db.session.scalars(
        results.recipients_query(found, {"status": status})
        .order_by(Recipient.id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    ).all()
    return render_template(
        "marketing/campaign.html",
        campaign=found,
        figures=results.results(found, current_user),
        currency=instance_currency(),
        recipients=rows[:PER_PAGE],
        more=len(rows) > PER_PAGE,
        page=page,
        status=status,
        actions=CAMPAIGN.allowed(found.status),
        winner_by={k: str(v) for k, v in WINNER_BY.items()},
        **_labels(),
    )


def _campaign_form(found, values, errors=None, status=200):
    segment_choices = [
        (str(s.id), s.name)
        for s in db.session.scalars(segments.visible_segments(current_user).order_by(Segment.name))
    ]
    template_choices = [
        (str(t.id), f"{t.name} ({CHANNELS[t.channel]})")
        for t in db.session.scalars(templates.search_templates({}).order_by(CampaignTemplate.name))
    ]
    survey_choices = [
        (str(s.id), s.name)
        for s in db.session.scalars(visible_surveys({"status": "active"}).order_by(Survey.name))
    ]
    return render_template(
        "marketing/campaign_form.html",
        campaign=found,
        values=values,
        errors=errors or {},
        segment_choices=segment_choices,
        template_choices=template_choices,
        survey_choices=survey_choices,
        percent_choices=[("0", _("No test"))]
        + [(str(p), format_percent(p / 100)) for p in range(TEST_PERCENT[0], 51, 10)],
        winner_by={k: str(v) for k, v in WINNER_BY.items()},
        **_labels(),
    ), status


def _posted_campaign() -> dict:
    form = request.form

    def number(key):
        text = form.get(key, "").strip()
        return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else text or None

    return {
        "name": form.get("name", "").strip(),
        "segment_id": number("segment_id"),
        "template_id": number("template_id"),
        "survey_id": number("survey_id"),
        "language": form.get("language", "en"),
        "rate": number("rate"),
        "subject_b": form.get("subject_b", "").strip() or None,
        "test_percent": number("test_percent") or 0,
        "test_hours": number("test_hours") or 4,
        "winner_by": form.get("winner_by", "open"),
    }


@bp.route("/campaigns/new")
@login_required
def new_campaign():
    require("marketing.campaign.write")
    return _campaign_form(
        None, {"language": "en", "rate": DEFAULT_RATE, "test_hours": 4, "winner_by": "open"}
    )


@bp.route("/campaigns/<int:campaign_id>/edit")
@login_required
def edit_campaign(campaign_id: int):
    require("marketing.campaign.write")
    found = lifecycle.visible_campaign(campaign_id, current_user)
    values = {k: getattr(found, k) for k in FORM_FIELDS}
    return _campaign_form(found, {**values, "version": found.version})


@bp.route("/campaigns", methods=["POST"])
@login_required
def create_campaign():
    require("marketing.campaign.write")
    payload = _posted_campaign()
    try:
        created = lifecycle.create_campaign(payload, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _campaign_form(None, payload, exc.errors, 422)
    flash(_("Campaign %(name)s saved.", name=created.name), "success")
    return redirect(url_for(".campaign", campaign_id=created.id))


@bp.route("/campaigns/<int:campaign_id>", methods=["POST"])
@login_required
def save_campaign(campaign_id: int):
    require("marketing.campaign.write")
    found = lifecycle.visible_campaign(campaign_id, current_user)
    payload = _posted_campaign()
    try:
        lifecycle.update_campaign(found, payload, current_user, form_version())
    except StateError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
        return redirect(url_for(".campaign", campaign_id=campaign_id))
    except ValidationError as exc:
        db.session.rollback()
        return _campaign_form(found, payload, exc.errors, 422)
    except (TrellisError, StaleVersionError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".campaign", campaign_id=campaign_id))
    flash(_("Saved."), "success")
    return redirect(url_for(".campaign", campaign_id=campaign_id))


#: the buttons of a campaign's page: the permission each needs
ACTIONS = {
    "test": "marketing.campaign.write",
    "schedule": "marketing.campaign.send",
    "send": "marketing.campaign.send",
    "pause": "marketing.campaign.send",
    "cancel": "marketing.campaign.send",
    "delete": "marketing.campaign.write",
}


@bp.route(
    "/campaigns/<int:campaign_id>/<any(test,schedule,send,pause,cancel,delete):action>",
    methods=["POST"],
)
@login_required
def campaign_action(campaign_id: int, action: str):
    require(ACTIONS[action])
    found = lifecycle.visible_campaign(campaign_id, current_user)
    try:
        if action == "test":
            to = request.form.get("to")
            sent = lifecycle.send_test(found, current_user, request.url_root, to)
            if found.channel == "sms":
                flash(_("A test SMS was sent to %(to)s.", to=sent["to"]), "success")
            else:
                flash(_("A test e-mail was sent to %(to)s.", to=sent["to"]), "success")
        elif action == "schedule":
            when = form_datetime(request.form.get("send_at"))
            lifecycle.schedule(found, {"send_at": when}, current_user, request.url_root)
            flash(_("Scheduled."), "success")
        elif action == "send":
            lifecycle.send_now(found, current_user, request.url_root)
            flash(_("Sending has started."), "success")
        elif action == "delete":
            lifecycle.delete_campaign(found, current_user, form_version())
            flash(_("Campaign %(name)s moved to the recycle bin.", name=found.name), "success")
            return redirect(url_for(".campaigns_list"))
        else:
            getattr(lifecycle, action)(found, current_user)
            flash(_("Done."), "success")
    except (TrellisError, StaleVersionError) as exc:
        db.session.rollback()
        errors = getattr(exc, "errors", None)
        text = " ".join(m for ms in errors.values() for m in ms) if errors else str(exc)
        flash(text, "error")
    return redirect(url_for(".campaign", campaign_id=campaign_id))
