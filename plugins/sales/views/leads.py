"""Lead pages under ``/sales/leads``, the web forms companies embed, and the
public endpoint those forms post to (no sign-in; key, honeypot, rate limit)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    ConflictError,
    ValidationError,
    customer_for,
    db,
    form_datetime,
    form_payload,
    instance_currency,
    list_page,
    list_sort,
    public,
    require,
    translator,
)

from ..models import Lead, LeadForm
from ..services import lead_activities, leads
from ..services import pipelines as pipeline_service
from ..services.access import visible_lead, visible_leads
from .blueprint import bp

_, _l = translator("sales")
FIELDS = ("name", "company", "phone", "email", "region", "source", "notes")
LIST_SIZE = 50  # leads on a page of the list
#: the leads list's sortable columns
LEAD_SORTS = {"name": Lead.name, "company": Lead.company, "created_at": Lead.created_at}


@bp.route("/leads/")
@login_required
def leads_index():
    """The leads the user may see, newest first (or sorted by a column:
    ``sort``, ``-`` for descending), 50 a page: open, converted,
    disqualified or all."""
    require("sales.lead.read")
    status = request.args.get("status", "open")
    status = status if status in ("open", "all") or status in leads.STATUS_LABELS else "open"
    sort, order = list_sort(LEAD_SORTS, (Lead.created_at.desc(), Lead.id.desc()), Lead.id.desc())
    page = list_page()
    query = visible_leads(current_user)
    if status == "open":
        query = query.where(Lead.status.in_(("new", "working")))
    elif status != "all":
        query = query.where(Lead.status == status)
    # one row more than a page says whether there is a next one
    rows = db.session.scalars(
        query.options(joinedload(Lead.owner))
        .order_by(*order)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    # an empty tab: are there leads in the others (then say so), or none at all?
    elsewhere = (
        not rows
        and status != "all"
        and db.session.scalar(visible_leads(current_user).with_only_columns(Lead.id).limit(1))
        is not None
    )
    return render_template(
        "sales/leads.html",
        leads=rows[:LIST_SIZE],
        status=status,
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
        elsewhere=elsewhere,
        sources=leads.SOURCE_LABELS,
        statuses=leads.STATUS_LABELS,
    )


@bp.route("/leads/new", methods=["GET", "POST"])
@login_required
def lead_new():
    require("sales.lead.write")
    values, errors = {"source": "other"}, {}
    if request.method == "POST":
        values = form_payload(leads.LeadInput(), only=FIELDS)
        try:
            lead = leads.create_lead(values, current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash(_("Lead %(name)s added.", name=lead.name), "success")
            return redirect(url_for(".lead", lead_id=lead.id))
    return render_template(
        "sales/lead_form.html", values=values, errors=errors, sources=leads.SOURCE_LABELS
    ), 422 if errors else 200


@bp.route("/leads/<int:lead_id>")
@login_required
def lead(lead_id: int):
    require("sales.lead.read")
    row = visible_lead(lead_id, current_user)
    duplicates = [
        c for c in leads.likely_duplicates(row) if customer_for(c.id, current_user) is not None
    ]
    return render_template(
        "sales/lead.html",
        lead=row,
        duplicates=duplicates,
        activities=lead_activities.activities(row),
        pipelines=pipeline_service.pipelines(),
        sources=leads.SOURCE_LABELS,
        statuses=leads.STATUS_LABELS,
        currency=instance_currency(),  # what the converted deal is in, unless changed
    )


@bp.route("/leads/<int:lead_id>/convert", methods=["POST"])
@login_required
def lead_convert(lead_id: int):
    require("sales.lead.write")
    row = visible_lead(lead_id, current_user)
    form = request.form
    payload = {
        "customer_id": form.get("customer_id", type=int),
        "pipeline_id": form.get("pipeline_id", type=int),
        "deal_title": form.get("deal_title") or None,
        "amount": form.get("amount") or None,
        "currency": form.get("currency") or instance_currency(),
    }
    try:
        leads.convert(row, payload, current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items()), "error")
        return redirect(url_for(".lead", lead_id=row.id))
    except ConflictError as exc:  # converted or disqualified meanwhile
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".lead", lead_id=row.id))
    flash(_("Lead %(name)s converted.", name=row.name), "success")
    if row.deal_id:
        return redirect(url_for(".deal", deal_id=row.deal_id))
    return redirect(url_for("customers.detail", customer_id=row.customer_id))


@bp.route("/leads/<int:lead_id>/activities", methods=["POST"])
@login_required
def lead_follow_up(lead_id: int):
    """Log a call, an e-mail, a meeting or a note on the lead, or plan a follow-up."""
    require("sales.lead.write")
    row = visible_lead(lead_id, current_user)
    form = request.form
    try:
        lead_activities.follow_up(
            row,
            {
                "kind": form.get("kind"),
                "subject": form.get("subject", "").strip(),
                "body": form.get("body", "").strip() or None,
                "direction": form.get("direction"),
                "due_at": form_datetime(form.get("due_at")),
            },
            current_user,
        )
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
    else:
        flash(_("Follow-up planned.") if form.get("kind") == "task" else _("Saved."), "success")
    return redirect(url_for(".lead", lead_id=row.id) + "#follow-up")


@bp.route("/leads/<int:lead_id>/disqualify", methods=["POST"])
@login_required
def lead_disqualify(lead_id: int):
    require("sales.lead.write")
    row = visible_lead(lead_id, current_user)
    try:
        leads.disqualify(row, request.form.get("reason"), current_user)
    except (ValidationError, ConflictError) as exc:
        db.session.rollback()
        flash(exc.summary if isinstance(exc, ValidationError) else str(exc), "error")
    else:
        flash(_("Lead %(name)s disqualified.", name=row.name), "success")
    return redirect(url_for(".lead", lead_id=row.id))


@bp.route("/leads/import", methods=["GET", "POST"])
@login_required
def leads_import():
    """CSV import: every bad row with its line number; none imported unless asked."""
    require("sales.lead.write")
    report = None
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            report = leads.import_csv(
                upload.read() if upload else b"", current_user, "skip_bad" in request.form
            )
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.summary, "error")
        else:
            if report["imported"]:
                flash(_("%(num)d leads imported.", num=report["imported"]), "success")
    return render_template(
        "sales/leads_import.html", report=report, columns=", ".join(leads.CSV_COLUMNS)
    )


@bp.route("/forms", methods=["GET", "POST"])
@login_required
def forms():
    """Web forms for the company's site, each with its secret key and embed code."""
    require("sales.admin")
    if request.method == "POST":
        try:
            leads.new_form(
                request.form.get("name", ""), request.form.get("source", "website"), current_user
            )
            flash(_("Form created."), "success")
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.summary, "error")
        return redirect(url_for(".forms"))
    rows = db.session.scalars(select(LeadForm).order_by(LeadForm.id)).all()
    return render_template("sales/forms.html", forms=rows, sources=leads.SOURCE_LABELS)


@bp.route("/forms/<key>", methods=["GET", "POST"])
@public("10 per minute")
def web_form(key: str):
    """The public form (GET shows it; POST is what a company's site sends).

    A wrong key is a 404; a filled honeypot field (``website``, invisible to
    people) is thanked and dropped; over 10 posts a minute from one address is 429."""
    form = db.session.scalar(
        select(LeadForm).where(LeadForm.key == key[:64], LeadForm.active.is_(True))
    )
    if form is None:
        abort(404)
    errors, values = {}, {}
    if request.method == "POST":
        if request.form.get("website"):
            return render_template("sales/web_form_thanks.html"), 200
        values = {
            k: (request.form.get(k) or "").strip() or None
            for k in ("name", "company", "phone", "email", "region", "notes")
        }
        if not values.get("phone") and not values.get("email"):
            errors["phone"] = [_("leave a phone number or an e-mail address")]
        else:
            try:
                leads.create_lead({**values, "source": form.source}, None, form=form)
            except ValidationError as exc:
                db.session.rollback()
                errors = exc.errors
        if not errors:
            return render_template("sales/web_form_thanks.html"), 201
    return render_template(
        "sales/web_form.html", form=form, values=values, errors=errors
    ), 422 if errors else 200
