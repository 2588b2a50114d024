"""Contact pages: the list of every contact the user may see, a contact's
page with its timeline, and the create and edit forms. A contact is visible
when its customer is; forms load through the API's ``ContactInput`` by way of
the same services."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core import forms
from core.access import hidden_fields, scoped
from core.errors import StaleVersionError, ValidationError
from core.extensions import db
from core.forms import list_page
from core.i18n import _
from core.models import Activity, Contact, Customer
from core.rest.auth import require
from core.schemas import ContactInput
from core.search import search_match
from core.services import activities as activity_service
from core.services import contacts as contact_service
from core.web.customers import visible_customer

bp = Blueprint("contacts", __name__, url_prefix="/contacts")
CONTACT_FIELDS = (
    "name",
    "title",
    "phones",
    "emails",
    "is_primary",
    "birthday",
    "preferred_channel",
    "notes",
)
PER_PAGE = 25


def contacts_query(*columns):
    """Live contacts of customers the user may see: the scope is applied to the
    joined customer row (no IN over every visible customer id)."""
    return scoped(
        select(Contact, *columns).join(Customer, Customer.id == Contact.customer_id),
        Customer,
        current_user,
    ).where(Contact.deleted_at.is_(None))


def visible_contact(contact_id: int) -> Contact:
    contact = db.session.scalar(contacts_query().where(Contact.id == contact_id))
    if contact is None:
        abort(404)
    return contact


@bp.route("/")
@login_required
def index():
    require("customer.read")
    q = request.args.get("q", "").strip()[:200]
    page = list_page()
    query = contacts_query(Customer.name)
    if q:
        query = query.where(
            search_match(Contact, q, current_user) | search_match(Customer, q, current_user)
        )
    # newest first, one row more than a page to know whether there is a next one: counting
    # every visible contact would cost more than the page itself at 300,000 contacts
    rows = db.session.execute(
        query.order_by(Contact.id.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "core/contacts.html", rows=rows[:PER_PAGE], q=q, page=page, more=len(rows) > PER_PAGE
    )


def contact_form(
    contact: Contact | None, customer: Customer, values: dict, errors: dict, status: int = 200
):
    return render_template(
        "core/contact_form.html",
        contact=contact,
        customer=customer,
        values=values,
        errors=errors,
        masked=hidden_fields(current_user, "contact"),
    ), status


def contact_values(contact: Contact) -> dict:
    return unmasked(
        {name: getattr(contact, name) for name in CONTACT_FIELDS} | {"version": contact.version}
    )


def posted_contact(form=None) -> dict:
    return unmasked(forms.payload(ContactInput(), form, only=CONTACT_FIELDS))


def unmasked(values: dict) -> dict:
    return forms.without(values, hidden_fields(current_user, "contact"))


def kept_contact(fallback: dict) -> dict:
    form = forms.kept_form(request.path)
    return fallback if form is None else posted_contact(form) | {"version": form.get("version")}


@bp.route("/new", methods=["GET", "POST"])
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


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
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
        return contact_form(
            contact, contact.customer, data | {"version": read_version}, exc.errors, 422
        )
    except StaleVersionError:
        db.session.rollback()
        flash(
            _(
                "Someone else changed this contact while you were editing. Your input is kept "
                "below; compare it with the contact's page and save again."
            ),
            "error",
        )
        return contact_form(contact, contact.customer, data | {"version": contact.version}, {}, 409)
    flash(_("Saved."), "success")
    return redirect(url_for(".detail", contact_id=contact.id))


@bp.route("/<int:contact_id>")
@login_required
def detail(contact_id: int):
    require("customer.read")
    contact = visible_contact(contact_id)
    return render_template(
        "core/contact.html",
        contact=contact,
        timeline=activity_service.visible_timeline(Activity.contact_id, contact.id, current_user),
    )
