"""The search box in the top bar (``/search?q=``): one place to find a
customer, a contact, or any record a plugin adds (``trellis_search``) —
each section only what the signed-in user may open, as their lists show."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.access import hidden_fields, scoped
from core.declarations import SearchHit, SearchSection
from core.extensions import db
from core.i18n import _
from core.models import Contact, Customer
from core.registry import current_registry
from core.search import best_matches
from core.web.contacts import contacts_query

bp = Blueprint("search", __name__)
#: hits per section; the section's own list finds the rest
LIMIT = 8


def core_sections(words: str) -> list[SearchSection]:
    """Customers and contacts by name, phone or e-mail — those the user may
    see, the best few of each (:func:`core.search.best_matches`)."""
    if not current_user.can("customer.read"):
        return []
    customers = db.session.execute(
        best_matches(
            scoped(select(Customer.id, Customer.name, Customer.city), Customer, current_user),
            Customer,
            words,
            current_user,
            LIMIT,
        )
    ).all()
    contacts = db.session.execute(
        best_matches(
            contacts_query(Customer.name).with_only_columns(
                Contact.id, Contact.name, Customer.name, maintain_column_froms=True
            ),
            Contact,
            words,
            current_user,
            LIMIT,
        )
    ).all()
    city_hidden = "city" in hidden_fields(current_user, "customer")
    return [
        SearchSection(
            _("Customers"),
            tuple(
                SearchHit(
                    name,
                    url_for("customers.detail", customer_id=customer_id),
                    "" if city_hidden else city or "",
                )
                for customer_id, name, city in customers
            ),
            order=0,
        ),
        SearchSection(
            _("Contacts"),
            tuple(
                SearchHit(name, url_for("contacts.detail", contact_id=contact_id), customer)
                for contact_id, name, customer in contacts
            ),
            order=1,
        ),
    ]


@bp.route("/search")
@login_required
def search():
    words = " ".join(request.args.get("q", "").split())[:100]
    sections: list[SearchSection] = []
    if len(words) >= 2:
        sections = core_sections(words)
        answers = current_registry().call(
            "trellis_search", query=words, user=current_user, limit=LIMIT
        )
        sections += sorted(
            (s for s in answers if s is not None), key=lambda s: (s.order, str(s.title))
        )
    found = [s for s in sections if s.hits]
    return render_template("core/search.html", words=words, sections=found, limit=LIMIT)
