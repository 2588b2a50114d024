"""Contacts, the quick actions of the customer page, my tasks and the
customer pool. Contacts and activities are visible when their customer is."""

from __future__ import annotations


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_login import current_user, login_required
from sqlalchemy import select

from core import forms
from core.errors import StaleVersionError, ValidationError
from core.access import hidden_fields, scoped
from core.extensions import db
from core.followups import due_list
from core.i18n import _
from core.models import Activity, Contact, Customer
from core.rest.auth import require
from core.rest.customers import filtered
from core.rest.pool import pool_query
from core.schemas import ContactInput
from core.search import text_contains
from core.services import activities as activity_service
from core.services import contacts as contact_service
from core.services import pool as pool_service
from core.web_customers import visible_customer

contacts_bp = Blueprint("contacts", __name__, url_prefix="/contacts")
activities_bp = Blueprint("activities", __name__)
tasks_bp = Blueprint("tasks", __name__, url_prefix="/tasks")
pool_bp = Blueprint("pool", __name__, url_prefix="/pool")
CONTACT_FIELDS = ("name", "title", "phones", "emails", "is_primary", "birthday",
                  "preferred_channel", "notes")
PER_PAGE = 25


def contacts_query(*columns):
    """Live contacts of customers the user may see: the scope is applied to the
    joined customer row (no IN over every visible customer id)."""
    return scoped(select(Contact, *columns).join(Customer, Customer.id == Contact.customer_id),
                  Customer, current_user).where(Contact.deleted_at.is_(None))


def visible_contact(contact_id: int) -> Contact:
    contact = db.session.scalar(contacts_query().where(Contact.id == contact_id))
    if contact is None:
        abort(404)
    return contact


@contacts_bp.route("/")
@login_required
def index():
    require("customer.read")
    q = request.args.get("q", "").strip()[:200]
    page = max(1, min(request.args.get("page", 1, type=int), 10_000))
    query = contacts_query(Customer.name)
    if q:
        query = query.where(text_contains(Contact.name, q)
                            | text_contains(Customer.name, q))
    # newest first, one row more than a page to know whether there is a next one: counting
    # every visible contact would cost more than the page itself at 300,000 contacts
    rows = db.session.execute(query.order_by(Contact.id.desc())
                              .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    return render_template("core/contacts.html", rows=rows[:PER_PAGE], q=q, page=page,
                           more=len(rows) > PER_PAGE)


def contact_form(contact: Contact | None, customer: Customer, values: dict, errors: dict,
                 status: int = 200):
    return render_template("core/contact_form.html", contact=contact, customer=customer,
                           values=values, errors=errors,
                           masked=hidden_fields(current_user, "contact")), status


def contact_values(contact: Contact) -> dict:
    return unmasked({name: getattr(contact, name) for name in CONTACT_FIELDS}
                    | {"version": contact.version})


def posted_contact(form=None) -> dict:
    return unmasked(forms.payload(ContactInput(), form, only=CONTACT_FIELDS))


def unmasked(values: dict) -> dict:
    return forms.without(values, hidden_fields(current_user, "contact"))


def kept_contact(fallback: dict) -> dict:
    form = forms.kept_form(request.path)
    return fallback if form is None else posted_contact(form) | {"version": form.get("version")}


@contacts_bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require("customer.write")
    customer = visible_customer(request.args.get("customer_id", 0, type=int))
    if request.method == "GET":
        return contact_form(None, customer, kept_contact({}), {})
    data = posted_contact()
    try:
        contact = contact_service.create_contact({**data, "customer_id": customer.id}, current_user)
    except ValidationError as exc:
        return contact_form(None, customer, data, exc.errors, 422)
    flash(_("Contact %(name)s added.", name=contact.name), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id))


@contacts_bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
@login_required
def edit(contact_id: int):
    require("customer.write")
    contact = visible_contact(contact_id)
    if request.method == "GET":
        return contact_form(contact, contact.customer, kept_contact(contact_values(contact)), {})
    data = posted_contact()
    read_version = forms.version()
    try:
        contact_service.update_contact(contact, data, current_user, read_version)
    except ValidationError as exc:
        return contact_form(contact, contact.customer, data | {"version": read_version},
                            exc.errors, 422)
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this contact while you were editing. Your input is kept "
                "below; compare it with the contact's page and save again."), "error")
        return contact_form(contact, contact.customer, data | {"version": contact.version}, {},
                            409)
    flash(_("Saved."), "success")
    return redirect(url_for(".detail", contact_id=contact.id))


@contacts_bp.route("/<int:contact_id>")
@login_required
def detail(contact_id: int):
    require("customer.read")
    contact = visible_contact(contact_id)
    return render_template("core/contact.html", contact=contact,
                           timeline=activity_service.timeline(Activity.contact_id, contact.id))


@activities_bp.route("/customers/<int:customer_id>/activities", methods=["POST"])
@login_required
def log(customer_id: int):
    """A quick action: log a call, add a note or plan a follow-up (a task)."""
    require("customer.write")
    customer = visible_customer(customer_id)
    form = request.form
    kind = form.get("kind", "")
    if kind not in ("call", "note", "task"):
        abort(400)
    payload = {"kind": kind, "subject": form.get("subject", "").strip(),
               "body": form.get("body", "").strip() or None, "customer_id": customer.id,
               "contact_id": form.get("contact_id", type=int)}
    if kind == "call":
        payload["direction"] = form.get("direction") if form.get("direction") in ("in", "out") else None
    if kind == "task":
        payload["due_at"] = forms.local_datetime(form.get("due_at")) or ""
    error = message = None
    try:
        activity_service.log_activity(payload, current_user)
        message = {"call": _("Call logged."), "note": _("Note added."),
                   "task": _("Follow-up planned.")}[kind]
    except ValidationError as exc:
        db.session.rollback()
        error = "; ".join(f"{field_label(k)}: {' '.join(v)}" for k, v in exc.errors.items())
    if not request.headers.get("HX-Request"):
        flash(error or message, "error" if error else "success")
        return redirect(url_for("customers.detail", customer_id=customer.id))
    return timeline_fragment(customer.id, error=error, message=message)


def field_label(key: str) -> str:
    return {"subject": _("Summary"), "due_at": _("Due"), "body": _("Details")}.get(key, key)


def timeline_fragment(customer_id: int, **notes):
    timeline = activity_service.timeline(Activity.customer_id, customer_id)
    return render_template("core/_timeline.html", timeline=timeline,
                           timeline_error=notes.get("error"), timeline_message=notes.get("message"))


@tasks_bp.route("/")
@login_required
def index():
    tasks = due_list([current_user.id], upcoming_days=30, tz=get_timezone())
    return render_template("core/tasks.html", tasks=tasks)


@tasks_bp.route("/<int:task_id>/complete", methods=["POST"])
@login_required
def complete(task_id: int):
    """Mark a task done: the user's own, or one on a customer they may edit."""
    task = db.session.get(Activity, task_id)
    if task is None or task.deleted_at is not None:
        abort(404)
    customer_visible = task.customer_id is not None and db.session.scalar(
        filtered({}).where(Customer.id == task.customer_id)) is not None
    if task.owner_id != current_user.id and not (
            customer_visible and current_user.can("customer.write")):
        abort(404)
    activity_service.complete_task(task, current_user, request.form.get("outcome") or None)
    if request.headers.get("HX-Request") and request.args.get("back") == "timeline" \
            and customer_visible:
        return timeline_fragment(task.customer_id, message=_("Task done."))
    flash(_("Task done."), "success")
    return redirect(request.referrer if request.referrer else url_for(".index"))


@pool_bp.route("/")
@login_required
def index():
    require("pool.claim")
    q = request.args.get("q", "").strip()[:200]
    query = pool_query()
    if q:
        query = query.where(text_contains(Customer.name, q))
    rows = db.session.scalars(query.order_by(Customer.updated_at.desc(), Customer.id.desc())
                              .limit(PER_PAGE * 4)).all()
    return render_template("core/pool.html", customers=rows, q=q)


@pool_bp.route("/<int:customer_id>/claim", methods=["POST"])
@login_required
def claim(customer_id: int):
    require("pool.claim")
    customer = db.session.scalar(pool_query().where(Customer.id == customer_id))
    if customer is None:
        abort(404)
    try:
        pool_service.claim(customer, current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
        return redirect(url_for(".index"))
    flash(_("%(name)s is now yours.", name=customer.name), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id))
